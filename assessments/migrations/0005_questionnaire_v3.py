"""Version 3 of the questionnaire: the same questions as version 2, plus what the person comes
for first ("main_needs"), and rules that make priorities discriminate: the needs named are at
priority 1 and the others at priority 2 at best; with none named, equipment, internet access,
safety and understanding reach priority 1 only when named (assessments/data/questionnaire_v3.json).
Assessments made on versions 1 and 2 keep theirs."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "questionnaire_v3.json"


def load_v3(apps, schema_editor):
    QuestionnaireVersion = apps.get_model("assessments", "QuestionnaireVersion")
    definition = json.loads(DATA.read_text(encoding="utf-8"))
    QuestionnaireVersion.objects.get_or_create(number=3, defaults={"definition": definition})


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_questionnaire_v2")]

    operations = [migrations.RunPython(load_v3, migrations.RunPython.noop)]
