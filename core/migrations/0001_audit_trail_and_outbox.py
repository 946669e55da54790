"""The outbox table, and the audit trail moved here from the alerts app.

The audit trail keeps its table (alerts_auditevent), its indexes and every row: only Django's idea of which app owns
the model changes (SeparateDatabaseAndState); alerts.0006 removes it from the alerts app's state in the same way.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('alerts', '0005_serious_rule_follows_methodology_max_age'),
        ('indicators', '0007_score_tables_without_database_foreign_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task_name', models.CharField(help_text='Registered Celery task name, e.g. alerts.tasks.x_task', max_length=200)),
                ('kwargs', models.JSONField(blank=True, default=dict)),
                ('dedupe_key', models.CharField(blank=True, help_text='While a row with this key waits, asking again adds no second row', max_length=200)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent')], default='pending', max_length=16)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('not_before', models.DateTimeField(default=django.utils.timezone.now, help_text='The task does not start before this time')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When a sender may claim the row next; a claim moves it forward as a lease')),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['created_at', 'pk'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='core_outbox_due_idx'), models.Index(fields=['dedupe_key', 'not_before'], name='core_outbox_dedupe_idx')],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('alert_raised', 'Alert raised'), ('alert_acknowledged', 'Alert acknowledged'), ('alert_dismissed', 'Alert dismissed'), ('alert_escalated', 'Alert turned into an escalation'), ('alert_resolved', 'Alert resolved: its condition cleared'), ('escalation_created', 'Escalation drafted'), ('escalation_edited', 'Escalation edited'), ('transition', 'Escalation state changed'), ('decision', 'Decision'), ('action_created', 'Response action created'), ('action_status', 'Response action status changed'), ('assessment_recorded', 'Assessment recorded'), ('assessments_imported', 'Assessments imported'), ('trigger_event', 'Trigger event recorded'), ('aia_updated', 'Atrocity Impact Assessment updated'), ('aia_completed', 'Atrocity Impact Assessment completed'), ('rule_published', 'Alert rule published'), ('methodology_published', 'Methodology published'), ('methodology_activated', 'Methodology activated')], max_length=32)),
                        ('occurred_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('from_state', models.CharField(blank=True, max_length=32)),
                        ('to_state', models.CharField(blank=True, max_length=32)),
                        ('summary', models.CharField(max_length=500)),
                        ('reason', models.TextField(blank=True)),
                        ('details', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, help_text='Empty when the system acted (a rule fired, an import ran)', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='alerts.alert')),
                        ('country', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.country')),
                        ('escalation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='audit_events', to='alerts.escalation')),
                    ],
                    options={
                        'db_table': 'alerts_auditevent',
                        'ordering': ['-occurred_at', '-pk'],
                        'indexes': [models.Index(fields=['country', 'occurred_at'], name='alerts_audi_country_aa8cce_idx'), models.Index(fields=['escalation', 'occurred_at'], name='alerts_audi_escalat_b8202c_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
