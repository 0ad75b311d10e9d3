#!/usr/bin/env python3
"""Re-run and check the inspector assignment of a shuangsuiji draw — Python standard library only.

An independent implementation of docs/assignment-spec.md (algorithm "shuangsuiji-assignment/1"),
written from that document; it shares no code with the system that made the draw. It reads the
manifest's assignment section,

    {"algorithm": "...", "seed": "<64 hex>", "problem": {...}, "result": {...}}

re-runs the draw from the seed, replays the substitutions by their fixed rule, compares, and re-checks
every hard constraint of the published teams.

    python tools/verify_assignment.py SECTION.json     exit 0: all match; 1: differences; 2: unreadable

``tools/verify_draw.py`` imports ``verify_assignment(section) -> list[str]`` (empty: all match).
"""

import hashlib
import json
import re
import sys
from collections import deque
from datetime import date

ALGORITHM = "shuangsuiji-assignment/1"
PROBLEM_KEYS = {"draw_date", "max_load", "tasks", "inspectors", "recent_pairs"}
TASK_KEYS = {"id", "deadline", "team_size", "departments", "specialties", "expert_specialties", "recusals"}
INSPECTOR_KEYS = {"id", "department", "specialties", "certificate_expiry", "status", "expert"}
RESULT_KEYS = {"algorithm", "load_cap", "teams", "bindings", "substitutions"}
BINDING_FIELDS = ("kind", "tasks", "inspectors", "needed", "available")


class Malformed(Exception):
    pass


# --- reading (spec §2) ------------------------------------------------------------------------------

def need(condition, message):
    if not condition:
        raise Malformed(message)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def text_list(value, where):
    need(isinstance(value, list) and all(isinstance(v, str) for v in value), f"{where}: a list of strings")
    return value


def day(value, where):
    need(isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), f"{where}: a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{where}: not a date") from None


def read_problem(data):
    need(isinstance(data, dict) and set(data) == PROBLEM_KEYS, f"problem: keys must be {sorted(PROBLEM_KEYS)}")
    need(is_int(data["max_load"]) and data["max_load"] >= 1, "problem.max_load: an integer ≥ 1")
    draw_date = day(data["draw_date"], "problem.draw_date")
    need(isinstance(data["tasks"], list) and isinstance(data["inspectors"], list), "problem: tasks, inspectors")
    tasks = []
    for raw in data["tasks"]:
        need(isinstance(raw, dict) and set(raw) == TASK_KEYS, f"task: keys must be {sorted(TASK_KEYS)}")
        need(isinstance(raw["id"], str) and raw["id"] and "/" not in raw["id"], "task id: non-empty, no '/'")
        need(is_int(raw["team_size"]) and raw["team_size"] >= 2, f"task {raw['id']}: team_size ≥ 2")
        deadline = day(raw["deadline"], f"task {raw['id']}.deadline")
        need(deadline >= draw_date, f"task {raw['id']}: deadline before the draw date")
        tasks.append({
            "id": raw["id"], "deadline": deadline, "team_size": raw["team_size"],
            "departments": sorted(set(text_list(raw["departments"], "departments"))),
            "specialties": sorted(set(text_list(raw["specialties"], "specialties"))),
            "expert_specialties": sorted(text_list(raw["expert_specialties"], "expert_specialties")),
            "recusals": set(text_list(raw["recusals"], "recusals")),
        })
    people = []
    for raw in data["inspectors"]:
        need(isinstance(raw, dict) and set(raw) == INSPECTOR_KEYS, f"inspector: keys must be {sorted(INSPECTOR_KEYS)}")
        need(isinstance(raw["id"], str) and raw["id"], "inspector id: non-empty")
        need(isinstance(raw["department"], str), f"inspector {raw['id']}.department: a string")
        need(raw["status"] in ("active", "on_leave", "left"), f"inspector {raw['id']}: unknown status")
        need(raw["expert"] in (0, 1) and is_int(raw["expert"]), f"inspector {raw['id']}.expert: 0 or 1")
        expiry = raw["certificate_expiry"]
        need(isinstance(expiry, str), f"inspector {raw['id']}.certificate_expiry: a string")
        people.append({
            "id": raw["id"], "department": raw["department"],
            "specialties": set(text_list(raw["specialties"], "specialties")),
            "expiry": day(expiry, f"inspector {raw['id']}.certificate_expiry") if expiry else None,
            "active": raw["status"] == "active", "expert": raw["expert"] == 1,
        })
    tasks.sort(key=lambda t: t["id"])
    people.sort(key=lambda p: p["id"])
    for kind, items in (("task", tasks), ("inspector", people)):
        ids = [item["id"] for item in items]
        need(len(set(ids)) == len(ids), f"duplicate {kind} ids")
    pairs = set()
    for pair in data["recent_pairs"]:
        text_list(pair, "recent pair")
        need(len(pair) == 2 and pair[0] != pair[1], "recent pair: two different ids")
        pairs.add(frozenset(pair))
    return {"max_load": data["max_load"], "tasks": tasks, "people": people, "pairs": pairs}


# --- slots and tickets (spec §3, §4) ----------------------------------------------------------------

def slots_of(task):
    slots = [("department", d) for d in task["departments"]] + [("specialty", s) for s in task["specialties"]]
    slots += [("officer", "")] * max(0, task["team_size"] - len(slots))
    return slots + [("expert", s) for s in task["expert_specialties"]]


def may_fill(person, task, slot):
    role, requirement = slot
    if not person["active"] or person["id"] in task["recusals"]:
        return False
    if role == "expert":
        if not person["expert"] or (person["expiry"] is not None and person["expiry"] < task["deadline"]):
            return False
    elif person["expert"] or person["expiry"] is None or person["expiry"] < task["deadline"]:
        return False
    if role == "department":
        return person["department"] == requirement
    if role in ("specialty", "expert"):
        return requirement in person["specialties"]
    return True


def first_fraction(ticket_id, seed_string):
    """consistent_sampler.first_fraction, re-derived from its definition."""
    seed_hash = hashlib.sha256(seed_string.encode("utf-8")).hexdigest()
    value = int(hashlib.sha256((seed_hash + ticket_id).encode("utf-8")).hexdigest(), 16)
    return "0." + f"{value:064d}"[::-1]


# --- the draw (spec §5–§8) --------------------------------------------------------------------------

class Draw:
    def __init__(self, problem, seed):
        self.p = problem
        self.seed_string = ALGORITHM + ":" + seed
        self.tickets = {}
        self.slots = []  # slot number → dict
        for task in problem["tasks"]:
            for index, slot in enumerate(slots_of(task)):
                self.slots.append({"task": task, "index": index, "slot": slot,
                                   "cands": [p["id"] for p in problem["people"] if may_fill(p, task, slot)],
                                   "holder": None})
        self.load = {p["id"]: 0 for p in problem["people"]}
        self.team = {t["id"]: {} for t in problem["tasks"]}  # task id → {person: slot number}
        self.holds = {p["id"]: [] for p in problem["people"]}  # person → slot numbers, kept sorted
        self.cap = 0

    def ticket(self, task_id, person):
        key = (task_id, person)
        if key not in self.tickets:
            self.tickets[key] = first_fraction(task_id + "/" + person, self.seed_string)
        return self.tickets[key]

    def pairs_with(self, person, others):
        return sum(1 for other in others if frozenset((person, other)) in self.p["pairs"])

    def set_holder(self, number, person):
        slot = self.slots[number]
        old = slot["holder"]
        if old is not None:
            del self.team[slot["task"]["id"]][old]
            self.holds[old].remove(number)
        slot["holder"] = person
        if person is not None:
            self.team[slot["task"]["id"]][person] = number
            self.holds[person] = sorted([*self.holds[person], number])

    def phase_one(self):
        count = len(self.slots)
        usable = {person for slot in self.slots for person in slot["cands"]}
        self.cap = min(self.p["max_load"], -(-count // len(usable))) if usable else self.p["max_load"]
        pending = sorted(range(count), key=lambda n: (len(self.slots[n]["cands"]), n))
        while True:
            # spec §5: what a failed search explored stays useless for the rest of the round
            self.dead = set()
            pending = [n for n in pending if not self.place(n)]
            if not pending or self.cap == self.p["max_load"]:
                return pending
            self.cap += 1

    def place(self, number):
        slot = self.slots[number]
        task_id = slot["task"]["id"]
        team = self.team[task_id]
        free = [c for c in slot["cands"] if self.load[c] < self.cap and c not in team]
        if not free:
            return self.augment(number)
        best = min(free, key=lambda c: (self.load[c], self.pairs_with(c, team), self.ticket(task_id, c), c))
        self.set_holder(number, best)
        self.load[best] += 1
        return True

    def augment(self, start):
        needs = {start: None}
        seen = set()
        queue = deque([start])
        while queue:
            g = queue.popleft()
            team = self.team[self.slots[g]["task"]["id"]]
            for person in self.slots[g]["cands"]:
                if person in team:
                    reached = [team[person]]
                elif person in seen or ("person", person) in self.dead:
                    continue
                else:
                    seen.add(person)
                    if self.load[person] < self.cap:
                        chain = [g]
                        while chain[-1] != start:
                            chain.append(needs[chain[-1]])
                        movers = [self.slots[h]["holder"] for h in chain]
                        for h in chain:
                            self.set_holder(h, None)
                        for h, mover in zip(chain[1:], movers[:-1], strict=True):
                            self.set_holder(h, mover)
                        self.set_holder(g, person)
                        self.load[person] += 1
                        return True
                    reached = list(self.holds[person])
                for h in reached:
                    if h not in needs and ("slot", h) not in self.dead:
                        needs[h] = g
                        queue.append(h)
        self.dead.update(("slot", h) for h in needs)
        self.dead.update(("person", p) for p in seen)
        return False

    def phase_two(self):
        changed = True
        while changed:
            changed = False
            for number in range(len(self.slots)):
                if self.replace(number) or self.swap(number):
                    changed = True

    def replace(self, number):
        slot = self.slots[number]
        task_id, a = slot["task"]["id"], slot["holder"]
        team = self.team[task_id]
        rest = [m for m in team if m != a]
        options = []
        for n in slot["cands"]:
            if n in team or self.load[n] >= self.cap:
                continue
            gain = (self.load[n] - self.load[a] + 1, self.pairs_with(n, rest) - self.pairs_with(a, rest))
            if gain < (0, 0):
                options.append((gain, self.ticket(task_id, n), n))
        if not options:
            return False
        n = min(options)[2]
        self.set_holder(number, n)
        self.load[a] -= 1
        self.load[n] += 1
        return True

    def swap(self, number):
        slot = self.slots[number]
        task_id, a = slot["task"]["id"], slot["holder"]
        team = self.team[task_id]
        rest = [m for m in team if m != a]
        if self.pairs_with(a, rest) == 0:
            return False
        options = []
        for n in slot["cands"]:
            if n in team:
                continue
            for other in self.holds[n]:
                there_team = self.team[self.slots[other]["task"]["id"]]
                if a in there_team or a not in self.slots[other]["cands"]:
                    continue
                there = [m for m in there_team if m != n]
                gain = (self.pairs_with(n, rest) - self.pairs_with(a, rest)
                        + self.pairs_with(a, there) - self.pairs_with(n, there))
                if gain < 0:
                    options.append((gain, self.ticket(task_id, n), n, other))
        if not options:
            return False
        _, _, n, other = min(options)
        self.set_holder(number, None)
        self.set_holder(other, None)
        self.set_holder(number, n)
        self.set_holder(other, a)
        return True

    def bindings(self, empty):
        """Spec §7, the fields that verification compares."""
        cut_slots, cut_people = set(empty), set()
        queue = deque(empty)
        while queue:
            g = queue.popleft()
            team = self.team[self.slots[g]["task"]["id"]]
            for person in self.slots[g]["cands"]:
                if person in team:
                    more = [team[person]]
                elif person not in cut_people:
                    cut_people.add(person)
                    more = self.holds[person]
                else:
                    more = []
                for h in more:
                    if h not in cut_slots:
                        cut_slots.add(h)
                        queue.append(h)
        # parts: connected components of the joins of spec §7.2, walked depth-first
        by_task, by_person = {}, {}
        for g in cut_slots:
            by_task.setdefault(self.slots[g]["task"]["id"], []).append(g)
            for person in self.slots[g]["cands"]:
                if person in cut_people:
                    by_person.setdefault(person, []).append(g)
        part_of, parts = {}, []
        for g in sorted(cut_slots):
            if g in part_of:
                continue
            part_of[g] = len(parts)
            members, stack = [], [g]
            while stack:
                x = stack.pop()
                members.append(x)
                mine = set(self.slots[x]["cands"])
                neighbours = [h for h in by_task[self.slots[x]["task"]["id"]] if mine & set(self.slots[h]["cands"])]
                for person in mine & cut_people:
                    neighbours += by_person.pop(person, [])
                for h in neighbours:
                    if h not in part_of:
                        part_of[h] = len(parts)
                        stack.append(h)
            parts.append(sorted(members))
        found = []
        for part in parts:
            tasks = sorted({self.slots[g]["task"]["id"] for g in part})
            people = sorted({c for g in part for c in self.slots[g]["cands"]})
            kinds = {self.slots[g]["slot"] for g in part}
            if len(part) == 1 and not people:
                kind = "no_candidate"
            elif len(tasks) == 1 and not cut_people.intersection(people):
                kind = "team"
            elif len(kinds) == 1 and next(iter(kinds))[0] == "department":
                kind = "department"
            elif len(kinds) == 1 and next(iter(kinds))[0] in ("specialty", "expert"):
                kind = "specialty"
            else:
                kind = "capacity"
            filled = sum(1 for g in part if self.slots[g]["holder"] is not None)
            found.append({"kind": kind, "tasks": tasks, "inspectors": people, "needed": len(part),
                          "available": filled})
        found.sort(key=lambda b: (b["tasks"], b["kind"], b["needed"]))
        return found

    def outcome(self):
        empty = self.phase_one()
        if empty:
            return {"load_cap": 0, "teams": [], "bindings": self.bindings(empty)}
        self.phase_two()
        teams = []
        for task in self.p["tasks"]:
            members = [{"inspector": s["holder"], "role": s["slot"][0], "requirement": s["slot"][1]}
                       for s in self.slots if s["task"] is task]
            teams.append({"task": task["id"], "members": members})
        return {"load_cap": self.cap if self.slots else 0, "teams": teams, "bindings": []}


def substitute(problem, seed, teams, gone, task_id, out):
    """Spec §9: the replacement for ``out`` in ``task_id``, or an error message."""
    task = next((t for t in problem["tasks"] if t["id"] == task_id), None)
    team = next((t for t in teams if t["task"] == task_id), None)
    if task is None or team is None:
        return None, f"no team for task {task_id}"
    names = [m["inspector"] for m in team["members"]]
    if out not in names:
        return None, f"{out} is not in the team of task {task_id}"
    index = names.index(out)
    loads = {}
    for t in teams:
        for m in t["members"]:
            loads[m["inspector"]] = loads.get(m["inspector"], 0) + 1
    seed_string = ALGORITHM + ":" + seed
    eligible = [p["id"] for p in problem["people"]
                if p["id"] not in names and p["id"] not in gone and p["id"] != out
                and loads.get(p["id"], 0) < problem["max_load"] and may_fill(p, task, slots_of(task)[index])]
    if not eligible:
        return None, f"nobody may replace {out} in task {task_id}"
    chosen = min(eligible, key=lambda person: (first_fraction(task_id + "/" + person, seed_string), person))
    return (index, chosen), None


# --- checking the published teams (spec §10.5) ------------------------------------------------------

def hard_constraints(problem, result):
    errors = []
    people = {p["id"]: p for p in problem["people"]}
    listed = [t["task"] for t in result["teams"]]
    if result["bindings"]:
        return ["the result lists teams although it says no assignment exists"] if listed else []
    for task in problem["tasks"]:
        if listed.count(task["id"]) != 1:
            errors.append(f"task {task['id']}: {listed.count(task['id'])} teams, 1 expected")
    known = {t["id"] for t in problem["tasks"]}
    errors += [f"team for unknown task {task_id}" for task_id in sorted(set(listed) - known)]
    loads = {}
    for team in result["teams"]:
        task = next((t for t in problem["tasks"] if t["id"] == team["task"]), None)
        if task is None:
            continue
        slots = slots_of(task)
        names = [m["inspector"] for m in team["members"]]
        if len(names) != len(slots):
            errors.append(f"task {task['id']}: {len(names)} members for {len(slots)} slots")
        if len(set(names)) != len(names):
            errors.append(f"task {task['id']}: somebody fills two places of the team")
        # a length mismatch is reported above; the places both lists have are still checked
        for index, (member, slot) in enumerate(zip(team["members"], slots, strict=False)):
            loads[member["inspector"]] = loads.get(member["inspector"], 0) + 1
            if (member["role"], member["requirement"]) != slot:
                errors.append(f"task {task['id']} slot {index}: should be {slot[0]} {slot[1]!r}")
            person = people.get(member["inspector"])
            if person is None:
                errors.append(f"task {task['id']} slot {index}: {member['inspector']} is not in the pool")
            elif not may_fill(person, task, slot):
                errors.append(f"task {task['id']} slot {index}: {member['inspector']} may not fill it "
                              "(status, recusal, certificate, expert, department or specialty)")
    for name in sorted(loads):
        if loads[name] > problem["max_load"]:
            errors.append(f"{name}: {loads[name]} tasks, more than max_load {problem['max_load']}")
    for n, record in enumerate(result["substitutions"]):
        team = next((t for t in result["teams"] if t["task"] == record["task"]), None)
        if team and record["out"] in [m["inspector"] for m in team["members"]]:
            errors.append(f"substitution {n}: {record['out']} was substituted out but is still in the team")
    return errors


def read_result(data):
    need(isinstance(data, dict) and set(data) == RESULT_KEYS, f"result: keys must be {sorted(RESULT_KEYS)}")
    need(data["algorithm"] == ALGORITHM, f"result.algorithm must be {ALGORITHM}")
    need(is_int(data["load_cap"]), "result.load_cap: an integer")
    need(isinstance(data["teams"], list), "result.teams: a list")
    for team in data["teams"]:
        need(isinstance(team, dict) and set(team) == {"task", "members"} and isinstance(team["task"], str),
             "team: keys task, members")
        need(isinstance(team["members"], list), "team.members: a list")
        for member in team["members"]:
            need(isinstance(member, dict) and set(member) == {"inspector", "role", "requirement"}
                 and all(isinstance(member[k], str) for k in member), "member: inspector, role, requirement")
    need(isinstance(data["bindings"], list), "result.bindings: a list")
    for binding in data["bindings"]:
        need(isinstance(binding, dict) and set(binding) == {*BINDING_FIELDS, "zh", "en"},
             "binding: keys kind, tasks, inspectors, needed, available, zh, en")
    need(isinstance(data["substitutions"], list), "result.substitutions: a list")
    for record in data["substitutions"]:
        need(isinstance(record, dict) and set(record) == {"task", "slot", "out", "in"}
             and is_int(record["slot"]) and all(isinstance(record[k], str) for k in ("task", "out", "in")),
             "substitution: task, slot, out, in")
    return data


# --- the whole check (spec §10) ---------------------------------------------------------------------

def verify_assignment(section):
    """Every difference between the published assignment section and its re-run; [] when all match."""
    try:
        need(isinstance(section, dict) and set(section) == {"algorithm", "seed", "problem", "result"},
             "section: keys must be algorithm, seed, problem, result")
        need(section["algorithm"] == ALGORITHM, f"section.algorithm must be {ALGORITHM}")
        need(isinstance(section["seed"], str) and re.fullmatch(r"[0-9a-f]{64}", section["seed"]),
             "seed: 64 lowercase hex digits")
        problem = read_problem(section["problem"])
        result = read_result(section["result"])
    except Malformed as error:
        return [f"malformed section: {error}"]
    seed = section["seed"]
    redrawn = Draw(problem, seed).outcome()
    differences = []
    teams = redrawn["teams"]
    gone = set()
    for n, record in enumerate(result["substitutions"]):
        outcome, error = substitute(problem, seed, teams, gone, record["task"], record["out"])
        if error:
            differences.append(f"substitution {n}: {error}")
            break
        index, chosen = outcome
        if (index, chosen) != (record["slot"], record["in"]):
            differences.append(f"substitution {n} in task {record['task']}: the rule puts {chosen} in slot "
                               f"{index}; the record says {record['in']} in slot {record['slot']}")
            break
        gone.add(record["out"])
        teams = [
            {"task": t["task"], "members": [dict(m, inspector=chosen) if k == index else m
                                            for k, m in enumerate(t["members"])]}
            if t["task"] == record["task"] else t
            for t in teams
        ]
    if result["load_cap"] != redrawn["load_cap"]:
        differences.append(f"load_cap: published {result['load_cap']}, re-run {redrawn['load_cap']}")
    published = {t["task"]: t["members"] for t in result["teams"]}
    expected = {t["task"]: t["members"] for t in teams}
    for task_id in sorted(set(published) | set(expected)):
        if published.get(task_id) != expected.get(task_id):
            shown = [m["inspector"] for m in published.get(task_id, [])]
            wanted = [m["inspector"] for m in expected.get(task_id, [])]
            differences.append(f"task {task_id}: published team {shown}, re-run {wanted}")
    claimed = [{k: b[k] for k in BINDING_FIELDS} for b in result["bindings"]]
    if claimed != redrawn["bindings"]:
        differences.append(f"bindings: published {claimed}, re-run {redrawn['bindings']}")
    differences += hard_constraints(problem, result)
    return differences


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0])
        print("usage: python tools/verify_assignment.py SECTION.json")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            section = json.load(handle)
    except (OSError, ValueError) as error:
        print(f"cannot read {argv[1]}: {error}")
        return 2
    differences = verify_assignment(section)
    if differences:
        print(f"DIFFERS: {len(differences)} problem(s)")
        for line in differences:
            print(f"  - {line}")
        return 1
    result = section["result"]
    if result["bindings"]:
        print(f"OK: no assignment exists, as published ({len(result['bindings'])} binding constraint(s))")
    else:
        print(f"OK: {len(result['teams'])} teams re-drawn identically, load cap {result['load_cap']}, "
              f"{len(result['substitutions'])} substitution(s) by the rule, every constraint holds")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
