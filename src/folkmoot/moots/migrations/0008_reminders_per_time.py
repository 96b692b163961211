"""Reminders are now one per time a moot meets (occasion "at:<start>"): the reminders already
sent carry the time they were sent for, so nobody is reminded twice of the same meeting."""

from django.db import migrations


def key_reminders(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Moot = apps.get_model("moots", "Moot")
    moot_type = ContentType.objects.filter(app_label="moots", model="moot").first()
    if moot_type is None:
        return
    starts = dict(Moot.objects.values_list("pk", "starts_at"))
    for note in Notification.objects.filter(
        kind="moot_reminder", occasion="", subject_type=moot_type
    ).iterator():
        if note.subject_id in starts:
            note.occasion = f"at:{starts[note.subject_id].isoformat()}"
            note.save(update_fields=["occasion"])


class Migration(migrations.Migration):
    dependencies = [
        ("moots", "0007_series"),
        ("notifications", "0010_moot_minutes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(key_reminders, migrations.RunPython.noop)]
