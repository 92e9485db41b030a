"""Version 2 of the questionnaire: the same questions as version 1, with help in plain French
for the skills and the online accounts (assessments/data/questionnaire_v2.json). Assessments
made on version 1 keep it."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "questionnaire_v2.json"


def load_v2(apps, schema_editor):
    QuestionnaireVersion = apps.get_model("assessments", "QuestionnaireVersion")
    definition = json.loads(DATA.read_text(encoding="utf-8"))
    QuestionnaireVersion.objects.get_or_create(number=2, defaults={"definition": definition})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_questionnaire_v1")]

    operations = [migrations.RunPython(load_v2, migrations.RunPython.noop)]
