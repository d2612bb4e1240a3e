"""The nightly schedule: apscheduler with a persistent job store in the vault.

The job is stored by reference (`sideload.context:scheduled_consolidation`), so it survives restarts;
coalesced, with 12 hours' grace for a machine that was asleep at the set time.
"""
from __future__ import annotations

from datetime import datetime

JOB_ID = "nightly-consolidation"
JOB_REF = "sideload.context:scheduled_consolidation"


def make_scheduler(vault_paths, settings, *, background: bool = False):
    """An apscheduler scheduler with the nightly job, its store in the vault."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    cls = BackgroundScheduler if background else BlockingScheduler
    sched = cls(jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{vault_paths.scheduler_db}")},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 12 * 3600})
    hour, minute = (int(x) for x in settings["nightly_time"].split(":"))
    sched.add_job(JOB_REF, CronTrigger(hour=hour, minute=minute), args=[str(vault_paths.root)], id=JOB_ID,
                  replace_existing=True, name="nightly consolidation")
    return sched


def next_run(settings, now: datetime | None = None) -> datetime:
    """When the nightly job runs next (without starting a scheduler)."""
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = (int(x) for x in settings["nightly_time"].split(":"))
    return CronTrigger(hour=hour, minute=minute).get_next_fire_time(None, now or datetime.now().astimezone())
