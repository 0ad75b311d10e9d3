#!/usr/bin/env python3
"""Re-run the inspector assignment of a shuangsuiji draw and check it — standard library only.

An independent implementation of docs/assignment-spec.md (algorithm "shuangsuiji-assign/1"); it
shares no code with the system that made the draw. Input: the manifest's assignment section,

    {"problem": {...}, "seed": "<64 hex>", "result": {...}}

Usage: python tools/verify_assignment.py SECTION.json   (exit 0 when the section re-runs identically)
``tools/verify_draw.py`` calls ``verify_assignment(section)`` for the assignment part of a manifest.
"""

import hashlib
import itertools
import json
import sys
from collections import deque

ALGORITHM = "shuangsuiji-assign/1"


def h(seed_hex, *parts):
    return hashlib.sha256("|".join([seed_hex, "assign", *parts]).encode("utf-8")).digest()


def can_fill(officer, slot, recused, valid_through):
    if officer["status"] != "active" or not officer["certificate_expiry"]:
        return False
    if officer["certificate_expiry"] < valid_through or officer["id"] in recused:
        return False
    if slot["department"] and slot["department"] != officer["department"]:
        return False
    return not slot["specialty"] or slot["specialty"] in officer["specialties"]


def hall_obstacle(task_id, slots, options):
    """Spec §4: the first slot (in slot order) that cannot join a matching names the obstacle."""
    owner = {}

    def extend(k, visited):
        for name in options[k]:
            if name not in visited:
                visited.add(name)
                if name not in owner or extend(owner[name], visited):
                    owner[name] = k
                    return True
        return False

    for k in range(len(slots)):
        visited = set()
        if extend(k, visited):
            continue
        stuck = sorted({k} | {owner[name] for name in visited if name in owner})
        names = sorted({name for s in stuck for name in options[s]})
        wanted = "、".join(describe(slots[s]) for s in stuck)
        if not names:
            return f"任务 {task_id} 需要{wanted}，但没有在岗、执法证有效至截止日期且无需回避的人员"
        return (f"任务 {task_id} 需要 {len(stuck)} 名不同的人员（{wanted}），"
                f"但符合条件的只有 {len(names)} 名：{'、'.join(names)}")
    return None


def describe(slot):
    bits = []
    if slot["department"]:
        bits.append(slot["department"] + "科室")
    if slot["specialty"]:
        bits.append("具备“" + slot["specialty"] + "”专长")
    return ("、".join(bits) + "的执法人员") if bits else "执法人员"


def redraw(problem, seed_hex):
    """Spec §3–§7: returns (teams, load cap, obstacles)."""
    valid_through = problem["valid_through"]
    officers = sorted(problem["inspectors"], key=lambda o: (h(seed_hex, "officer", o["id"]), o["id"]))
    rank = {o["id"]: n for n, o in enumerate(officers)}
    tasks = sorted(problem["tasks"], key=lambda t: (h(seed_hex, "task", t["id"]), t["id"]))
    start = [int.from_bytes(h(seed_hex, "task", t["id"]), "big") % max(1, len(officers)) for t in tasks]
    recent = {frozenset(p) for p in problem["recent_pairs"]}
    options = {}
    for ti, task in enumerate(tasks):
        for k, slot in enumerate(task["slots"]):
            options[ti, k] = [o["id"] for o in officers if can_fill(o, slot, task["recused"], valid_through)]
    obstacles = []
    for ti, task in enumerate(tasks):
        if len(task["slots"]) < problem["min_officers"]:
            obstacles.append(f"任务 {task['id']} 只有 {len(task['slots'])} 个岗位，"
                             f"少于每组至少 {problem['min_officers']} 名执法人员")
            continue
        why = hall_obstacle(task["id"], task["slots"], [options[ti, k] for k in range(len(task["slots"]))])
        if why:
            obstacles.append(why)
    if obstacles:
        return {}, 0, obstacles
    all_slots = [(ti, k) for ti, task in enumerate(tasks) for k in range(len(task["slots"]))]
    if not all_slots:
        return {}, 0, []
    usable = {name for s in all_slots for name in options[s]}
    cap = -(-len(all_slots) // len(usable))
    filled = {}   # slot → officer
    seat = {}     # (officer, task index) → slot index
    load = {}

    def place(s, name):
        filled[s] = name
        seat[name, s[0]] = s[1]

    def circle(ti, name):
        return (rank[name] - start[ti]) % len(rank)

    def team_of(ti):
        return [filled[ti, k] for k in range(len(tasks[ti]["slots"])) if (ti, k) in filled]

    def repeats(name, team):
        return sum(1 for other in team if other != name and frozenset((name, other)) in recent)

    # §5 greedy: tasks in ticket order; slots with fewest options first
    for ti, task in enumerate(tasks):
        for k in sorted(range(len(task["slots"])), key=lambda k: (len(options[ti, k]), k)):
            if (ti, k) in filled:
                continue
            team = team_of(ti)
            pick = min(((load.get(n, 0), repeats(n, team), circle(ti, n), n) for n in options[ti, k]
                        if (n, ti) not in seat and load.get(n, 0) < cap), default=None)
            if pick:
                place((ti, k), pick[3])
                load[pick[3]] = load.get(pick[3], 0) + 1

    # §6 augmenting paths, breadth first, in the documented neighbour order
    def augment():
        reach = {}
        for s in all_slots:
            for name in options[s]:
                lst = reach.setdefault(name, [])
                if not lst or lst[-1] != s[0]:
                    lst.append(s[0])
        sets = {s: set(options[s]) for s in all_slots}
        came = {}
        todo = deque()
        for name in sorted((n for n in reach if load.get(n, 0) < cap), key=lambda n: rank[n]):
            came["i", name] = None
            todo.append(("i", name))
        while todo:
            node = todo.popleft()
            if node[0] == "i":
                step = [("g", node[1], ti) for ti in sorted(set(reach.get(node[1], []))) if (node[1], ti) not in seat]
            elif node[0] == "g":
                name, ti = node[1], node[2]
                step = [("s", (ti, k)) for k in range(len(tasks[ti]["slots"]))
                        if name in sets[ti, k] and filled.get((ti, k)) != name]
                if (name, ti) in seat:
                    step.append(("i", name))
            elif node[1] not in filled:
                walk = [node]
                while came[walk[-1]] is not None:
                    walk.append(came[walk[-1]])
                walk.reverse()
                load[walk[0][1]] = load.get(walk[0][1], 0) + 1
                for a, b in itertools.pairwise(walk):
                    if a[0] == "g" and b[0] == "i":
                        seat.pop((a[1], a[2]), None)
                    elif a[0] == "g" and b[0] == "s":
                        before = seat.get((a[1], a[2]))
                        if before is not None and filled.get((a[2], before)) == a[1]:
                            del filled[a[2], before]
                        place(b[1], a[1])
                return True
            else:
                step = [("g", filled[node[1]], node[1][0])]
            for nxt in step:
                if nxt not in came:
                    came[nxt] = node
                    todo.append(nxt)
        return False

    while len(filled) < len(all_slots):
        if not augment():
            cap += 1

    # §7 levelling among interchangeable officers
    recused_in = {}
    for task in tasks:
        for name in task["recused"]:
            recused_in.setdefault(name, set()).add(task["id"])
    groups = {}
    for o in problem["inspectors"]:
        certified = bool(o["certificate_expiry"]) and o["certificate_expiry"] >= valid_through
        key = (o["department"], tuple(sorted(o["specialties"])), o["status"], certified,
               tuple(sorted(recused_in.get(o["id"], ()))))
        groups.setdefault(key, []).append(o["id"])
    for names in groups.values():
        while len(names) > 1:
            by_load = sorted(names, key=lambda n: (load.get(n, 0), rank[n]))
            light, heavy = by_load[0], by_load[-1]
            if load.get(heavy, 0) - load.get(light, 0) < 2:
                break
            ti = min((t for (n, t) in seat if n == heavy and (light, t) not in seat), key=lambda t: circle(t, light))
            k = seat.pop((heavy, ti))
            place((ti, k), light)
            load[heavy] -= 1
            load[light] = load.get(light, 0) + 1

    # §8 separating pairs that inspected together recently
    if recent:
        for ti, task in enumerate(tasks):
            for k in range(len(task["slots"])):
                name = filled[ti, k]
                if not repeats(name, team_of(ti)):
                    continue
                done = False
                for other in options[ti, k]:
                    if done:
                        break
                    if other == name or (other, ti) in seat:
                        continue
                    if repeats(other, [n for n in team_of(ti) if n != name]):
                        continue
                    for t2 in sorted((t for (n, t) in seat if n == other), key=lambda t: circle(t, name)):
                        k2 = seat[other, t2]
                        if (name, t2) in seat or name not in options[t2, k2]:
                            continue
                        if repeats(name, [n for n in team_of(t2) if n != other]):
                            continue
                        del seat[name, ti], seat[other, t2]
                        place((ti, k), other)
                        place((t2, k2), name)
                        done = True
                        break
    teams = {task["id"]: [filled[ti, k] for k in range(len(task["slots"]))] for ti, task in enumerate(tasks)}
    return teams, cap, []


def replay_substitutions(problem, seed_hex, teams, records):
    """Spec §9: each substitution takes the first eligible officer by substitution ticket."""
    teams = {task: list(team) for task, team in teams.items()}
    tasks = {t["id"]: t for t in problem["tasks"]}
    out_before = set()
    problems = []
    for n, record in enumerate(records):
        task = tasks.get(record["task"])
        team = teams.get(record["task"])
        if task is None or team is None or record["out"] not in team:
            problems.append(f"substitution {n + 1}: {record['out']} is not in the team of task {record['task']}")
            return teams, problems
        k = team.index(record["out"])
        out_before.add(record["out"])
        ranked = sorted((o for o in problem["inspectors"] if o["id"] not in team and o["id"] not in out_before
                         and can_fill(o, task["slots"][k], task["recused"], problem["valid_through"])),
                        key=lambda o: (h(seed_hex, "substitute", record["task"], o["id"]), o["id"]))
        if not ranked:
            problems.append(f"substitution {n + 1}: nobody may replace {record['out']} in task {record['task']}")
            return teams, problems
        if record["in"] != ranked[0]["id"] or record.get("slot") != k:
            problems.append(f"substitution {n + 1} in task {record['task']}: took {record['in']}, "
                            f"the rule gives {ranked[0]['id']}")
        team[k] = ranked[0]["id"]
    return teams, problems


def lawful(problem, teams):
    officers = {o["id"]: o for o in problem["inspectors"]}
    tasks = {t["id"]: t for t in problem["tasks"]}
    problems = []
    for task_id in sorted(set(tasks) ^ set(teams)):
        problems.append(f"task {task_id}: present in only one of problem and result")
    for task_id, team in sorted(teams.items()):
        task = tasks.get(task_id)
        if task is None:
            continue
        if len(team) != len(task["slots"]) or len(set(team)) != len(team) or len(team) < problem["min_officers"]:
            problems.append(f"task {task_id}: team {team} does not have one distinct officer per slot")
        for slot, name in zip(task["slots"], team, strict=False):
            if name not in officers or not can_fill(officers[name], slot, task["recused"], problem["valid_through"]):
                problems.append(f"task {task_id}: {name} may not fill the slot for {describe(slot)}")
    return problems


def verify_assignment(section):
    """Every difference between the section's result and a re-run of it; empty when it verifies."""
    problem, seed_hex, result = section["problem"], section["seed"], section["result"]
    differences = []
    if result.get("algorithm") != ALGORITHM:
        differences.append(f"algorithm {result.get('algorithm')!r} is not {ALGORITHM!r}")
    teams, cap, obstacles = redraw(problem, seed_hex)
    if obstacles != list(result["binding"]):
        differences.append(f"binding constraints: manifest {result['binding']}, re-run {obstacles}")
    if cap != result["load_cap"]:
        differences.append(f"load cap: manifest {result['load_cap']}, re-run {cap}")
    teams, replay_problems = replay_substitutions(problem, seed_hex, teams, result["substitutions"])
    differences += replay_problems
    for task_id in sorted(set(teams) | set(result["teams"])):
        if teams.get(task_id) != result["teams"].get(task_id):
            differences.append(f"task {task_id}: manifest team {result['teams'].get(task_id)}, "
                               f"re-run {teams.get(task_id)}")
    if not obstacles:
        differences += lawful(problem, result["teams"])
    return differences


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0])
        print("usage: python tools/verify_assignment.py SECTION.json")
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        section = json.load(handle)
    differences = verify_assignment(section)
    for line in differences:
        print("DIFFERS:", line)
    if not differences:
        print(f"OK: {len(section['result']['teams'])} teams re-drawn identically and every rule holds")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
