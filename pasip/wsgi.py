import os

from django.core.wsgi import get_wsgi_application

from pasip.warmup import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pasip.settings.prod")
application = get_wsgi_application()
warm_up()
