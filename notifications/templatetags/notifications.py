from django import template

from notifications.models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user):
    """The number of unread in-app notifications, for the header's badge."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.unread_for(user).count()
