"""A fresh install has version 1 of the questionnaire (assessments/data/questionnaire_v1.json)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "questionnaire_v1.json"


def load_v1(apps, schema_editor):
    QuestionnaireVersion = apps.get_model("assessments", "QuestionnaireVersion")
    definition = json.loads(DATA.read_text(encoding="utf-8"))
    QuestionnaireVersion.objects.get_or_create(number=1, defaults={"definition": definition})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_questionnaire_versions")]

    operations = [migrations.RunPython(load_v1, migrations.RunPython.noop)]
