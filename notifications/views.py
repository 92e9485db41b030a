from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pasip.http import next_url

from . import services
from .forms import PreferenceForm
from .models import Notification


@login_required
def notification_list(request):
    notifications = Notification.objects.in_app_for(request.user).select_related("referral")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "unread": Notification.objects.unread_for(request.user).count(),
            "preference": services.preference_for(request.user),
        },
    )


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification.objects.in_app_for(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    return redirect(next_url(request, "notification_list"))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    preference = services.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("notification_preferences")
    else:
        form = PreferenceForm(
            initial={"mode": preference.mode, "digest_hour": preference.digest_hour}
        )
    return render(
        request, "notifications/preferences.html", {"form": form, "preference": preference}
    )
