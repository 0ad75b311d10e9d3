"""``python manage.py seed_demo``: build demo Baoding (or a benchmark population) in an empty database."""

import time
from datetime import date
from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from shuangsuiji.demo.generator import DEFAULT_SEED, SCALES, generate
from shuangsuiji.demo.services import (
    DEMO_PASSWORD,
    DEMO_USERS,
    STEPS,
    SeedError,
    Step,
    do_seed_demo,
    registry_is_empty,
)


class Command(BaseCommand):
    help = ("装入演示数据：保定市的真实县级行政区与合成的检查对象、执法人员、抽查事项和各角色演示用户。"
            "只能装入空库；--if-empty 在已有数据时什么也不做。")

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

    def handle(self, *args, scale: str, seed: int, today: date | None, if_empty: bool, registries_only: bool,
               allow_production: bool, verbosity: int, **options) -> None:
        # DEBUG off is how the settings say "a bureau's server" (docs/operations.md): an empty production database
        # must not get demo accounts whose shared password is in the README. Checked before the database is read,
        # so a mistaken `make run` with the environment file read stops here, before its development server.
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                f"设置 DEBUG 为关（环境变量 DEBUG），表明这是生产环境：演示用户的密码均为公开的 {DEMO_PASSWORD}，"
                "拒绝装入演示数据。演示请在 DEBUG 打开时运行（make run 的默认，不读生产环境文件）；"
                "确需在 DEBUG 关闭时装入（如基准测试），加 --allow-production。")
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
            ctx = do_seed_demo(population, progress=progress, on_step=report, steps=steps)
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
