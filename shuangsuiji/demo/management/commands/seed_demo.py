"""``python manage.py seed_demo``: build demo Baoding (or a benchmark population) in an empty database."""

import time
from datetime import date
from functools import partial

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shuangsuiji.demo.generator import DEFAULT_SEED, SCALES, generate
from shuangsuiji.demo.services import (
    DEMO_PASSWORD,
    DEMO_USERS,
    STEPS,
    SeedError,
    Step,
    check_seed_allowed,
    do_seed_demo,
    registry_is_empty,
)


class Command(BaseCommand):
    help = ("装入演示数据：保定市的真实县级行政区与合成的检查对象、执法人员、抽查事项和各角色演示用户。"
            "只能装入空库；--if-empty 在已有数据时什么也不做；--check 只检查能否装入，不读写数据库。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="baoding",
                            help="baoding（约1.2万家对象，默认）、hebei（15万）、national（100万）；tiny 供测试")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子：相同种子生成相同数据")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="数据的基准日期（YYYY-MM-DD，默认今天）：执法证到期、注销日期等据此生成")
        parser.add_argument("--registries-only", action="store_true",
                            help="只装入两库一单和演示用户，不生成一年的外部数据与分类（供基准测试的大规模人口）")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库已有行政区、检查对象或执法人员时跳过（make run 据此保持幂等）")
        parser.add_argument("--allow-production", action="store_true",
                            help="DEBUG 关闭（生产设置）时仍然装入（基准测试用）：演示用户的密码是公开的")
        parser.add_argument("--check", action="store_true",
                            help="只检查设置是否允许装入（DEBUG 关闭时拒绝），不连接数据库："
                                 "make run 在 migrate 之前运行，以免迁移生产数据库")

    def execute(self, *args, **options) -> str | None:
        if options.get("check"):
            # Django's system checks connect to the database (JSONField's asks SQLite whether it has JSON, which
            # creates the file): --check, run before migrate, must not so much as open the bureau's database.
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args, scale: str, seed: int, today: date | None, if_empty: bool, registries_only: bool,
               allow_production: bool, check: bool, verbosity: int, **options) -> None:
        # The service holds every caller (DEBUG off: a bureau's server); asked here too, before the database is
        # read, and with --check alone, so `make run` stops before its migrate with the environment file read.
        try:
            check_seed_allowed(allow_production=allow_production)
        except SeedError as error:
            raise CommandError(str(error)) from error
        if check:
            return
        if not registry_is_empty():
            if if_empty:
                if verbosity:
                    self.stdout.write("数据库已有数据，未装入演示数据。")
                return
            raise CommandError("数据库中已有行政区、检查对象或执法人员，演示数据只能装入空库"
                               "（make run 使用 --if-empty 跳过）。")
        started = time.perf_counter()
        population = generate(scale, seed=seed, today=today)
        progress = partial(tqdm, disable=verbosity == 0, leave=False, mininterval=0.5)

        def report(step: Step, seconds: float) -> None:
            if verbosity:
                self.stdout.write(f"  {step.label}：{seconds:.1f} 秒")

        if verbosity:
            self.stdout.write(f"装入演示数据：规模 {scale}，种子 {seed}，基准日期 {population.today.isoformat()}")
        try:
            steps = [step for step in STEPS if step.name in {"registries", "users"}] if registries_only else None
            ctx = do_seed_demo(population, progress=progress, on_step=report, steps=steps,
                               allow_production=allow_production)
        except SeedError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            counts = ctx.counts
            self.stdout.write(self.style.SUCCESS(
                f"完成，用时 {time.perf_counter() - started:.1f} 秒：行政区 {counts['jurisdictions']} 个，"
                f"科室 {counts['departments']} 个，抽查事项 {counts['check_items']} 项，"
                f"检查对象 {counts['targets']} 家（排口 {counts['outlets']} 个），执法人员 {counts['inspectors']} 人，"
                f"回避 {counts['recusals']} 条。"))
            users = "、".join(u.username for u in DEMO_USERS)
            self.stdout.write(f"演示用户：{users}；密码均为 {DEMO_PASSWORD}")
