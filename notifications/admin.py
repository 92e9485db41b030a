from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Notification, NotificationPreference, PersonMessage


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Failed sends are listed with the server's answer and can be sent again."""

    list_display = [
        "created_at",
        "kind",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "email", "in_app"]
    search_fields = ["subject", "recipient__username", "recipient__email", "idempotency_key"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Renvoyer les notifications en échec"))
    def retry(self, request, queryset):
        count = services.notifications_retry(notifications=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification remise en envoi.",
                "%(count)d notifications remises en envoi.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(PersonMessage)
class PersonMessageAdmin(admin.ModelAdmin):
    """Failed sends with the provider's answer; cancelled ones with the reason."""

    list_display = [
        "due_at",
        "kind",
        "channel",
        "referral",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "cancel_reason",
    ]
    list_filter = ["status", "kind", "channel"]
    readonly_fields = [f.name for f in PersonMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Renvoyer les messages en échec"))
    def retry(self, request, queryset):
        count = services.person_messages_retry(messages=list(queryset))
        self.message_user(
            request,
            ngettext(
                "%(count)d message remis en envoi.",
                "%(count)d messages remis en envoi.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "digest_hour"]
    list_filter = ["mode"]
