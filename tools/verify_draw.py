#!/usr/bin/env python3
"""Check a revealed shuangsuiji draw manifest — Python standard library only.

An independent implementation of docs/draw-spec.md (algorithm "shuangsuiji-draw/1"), written from that
document; it shares no code with the system that made the draw. It recomputes the inputs hash, checks the
secret against its commitment, recomputes the seed, re-runs every stratum's selection and inclusion
probabilities, derives the assignment problem and has ``verify_assignment.py`` (beside this file, also
standard library only) re-run the inspector assignment, and replays every substitution.

    python tools/verify_draw.py MANIFEST.json [--sealed SEALED.json] [--lang zh|en]

The result is printed in Chinese with each difference's technical detail in English beneath it (``--lang en``:
English only). The first word is OK, DIFFERS, SEALED or "cannot read" in either language.
Exit status 0: everything matches; 1: differences (each printed), or a sealed manifest given alone (it cannot be
recomputed until the secret is published); 2: the files cannot be read.
"""

import contextlib
import datetime
import hashlib
import json
import math
import os
import re
import sys
import unicodedata
from fractions import Fraction

if __name__ == "__main__" and sys.version_info < (3, 10):
    # zip(strict=True) and friends: on 3.9 a genuine manifest would be reported as malformed, not refused
    HERE = ".".join(map(str, sys.version_info[:3]))
    print(f"cannot run 无法运行：verify_draw.py 需要 Python 3.10 或更新版本，这里是 {HERE}；"
          f"needs Python 3.10 or later, this is {HERE} (https://www.python.org/downloads/)")
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from verify_assignment import verify_assignment
except ImportError:
    if __name__ != "__main__":
        raise
    print("cannot run 无法运行：verify_assignment.py 不在 verify_draw.py 所在的目录。请从“如何自行验证抽取”页面"
          "（/public/verify/）下载这两个文件，放在同一目录；verify_assignment.py is not in the folder of "
          "verify_draw.py: download both files from the portal's verify page into one folder")
    sys.exit(2)

VERSION = "shuangsuiji-draw/1"
HEX64 = re.compile(r"[0-9a-f]{64}")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits: \\d would take full-width ones


def is_day(value):
    """§2: ten ASCII characters naming a real day of the Gregorian calendar."""
    if not (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class Bad(Exception):
    """The manifest does not have the shape the specification requires."""


def require(condition, message):
    if not condition:
        raise Bad(message)


# --- §2 canonical JSON, written out by hand from the rules ------------------------------------------

SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def encode_string(text, where):
    require(unicodedata.is_normalized("NFC", text), f"{where}: string not in NFC")
    out = ['"']
    for ch in text:
        require(not 0xD800 <= ord(ch) <= 0xDFFF, f"{where}: lone surrogate")
        if ch in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def encode(value, where="$"):
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise Bad(f"{where}: {value!r} is not allowed in canonical JSON")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return encode_string(value, where)
    if isinstance(value, list):
        return "[" + ",".join(encode(v, f"{where}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        members = []
        for key in sorted(value):  # Python orders str by code point, as §2 asks
            members.append(encode_string(key, where) + ":" + encode(value[key], f"{where}.{key}"))
        return "{" + ",".join(members) + "}"
    raise Bad(f"{where}: {type(value).__name__} is not allowed in canonical JSON")


def canonical_hash(value):
    return hashlib.sha256(encode(value).encode("utf-8")).hexdigest()


# --- §3 seed, §4 tickets ------------------------------------------------------------------------------

def public_value_problems(pv):
    if not isinstance(pv, dict):
        return ["the public value is not an object"]
    expected = {"dice": ["kind", "value", "witnesses"], "lottery": ["date", "kind", "lottery", "value"],
                "drand": ["chain", "kind", "round", "value"]}
    kind = pv.get("kind")
    if kind not in expected:
        return [f"unknown kind {kind!r}"]
    if sorted(pv) != expected[kind]:
        return [f"a {kind} value has the keys {expected[kind]}, this one {sorted(pv)}"]
    problems = []
    value = pv["value"]
    if not isinstance(value, str) or value.strip() == "":
        return ["the value is empty"]
    if kind == "dice":
        if not (value.isascii() and value.isdigit()):
            problems.append("dice value is not a string of digits")
        names = pv["witnesses"]
        if not (isinstance(names, list) and names and all(isinstance(n, str) and n for n in names)
                and names == sorted(set(names))):
            problems.append("witnesses must be a non-empty sorted list of distinct names")
    elif kind == "lottery":
        if not (isinstance(pv["lottery"], str) and pv["lottery"]):
            problems.append("the lottery is not named")
        if not is_day(pv["date"]):
            problems.append("the lottery date is not YYYY-MM-DD")
    else:
        if not HEX64.fullmatch(value):
            problems.append("drand randomness is not 64 lowercase hex digits")
        if not (isinstance(pv["chain"], str) and HEX64.fullmatch(pv["chain"])):
            problems.append("drand chain is not 64 lowercase hex digits")
        if isinstance(pv["round"], bool) or not isinstance(pv["round"], int) or pv["round"] < 1:
            problems.append("drand round is not a positive integer")
    return problems


def seed_of(inputs_hash_hex, secret_hex, public_value):
    data = (VERSION.encode("ascii") + b"\x00" + bytes.fromhex(inputs_hash_hex) + bytes.fromhex(secret_hex)
            + bytes.fromhex(canonical_hash(public_value)))
    return hashlib.sha256(data).hexdigest()


def ticket(target_id, seed_string):
    head = hashlib.sha256(seed_string.encode("utf-8")).hexdigest()
    number = int(hashlib.sha256((head + target_id).encode("utf-8")).hexdigest(), 16)
    return "0." + f"{number:064d}"[::-1]


def in_ticket_order(ids, seed_string):
    return sorted((ticket(i, seed_string), i) for i in ids)


# --- §5 selection --------------------------------------------------------------------------------------

def probabilities(weights, n):
    """π for weights (in any order) and n, by the capping rule of §5."""
    if n == 0:
        return [Fraction(0)] * len(weights)
    descending = sorted(range(len(weights)), key=lambda k: weights[k], reverse=True)
    remaining = sum(weights)
    capped = 0
    while capped < n and weights[descending[capped]] * (n - capped) >= remaining:
        remaining -= weights[descending[capped]]
        capped += 1
    top = set(descending[:capped])
    return [Fraction(1) if k in top else Fraction((n - capped) * w, remaining) for k, w in enumerate(weights)]


def systematic_positions(pis, start):
    chosen = []
    total = Fraction(0)
    for k, pi in enumerate(pis):
        if math.ceil(total + pi - start) > math.ceil(total - start):
            chosen.append(k)
        total += pi
    return chosen


def rerun_stratum(stratum, seed_hex):
    """The manifest record §9.2 of one stratum, re-run from its inputs and the seed."""
    name = stratum["name"]
    seed_string = f"{VERSION}|{seed_hex}|{name}"
    targets = stratum["targets"]
    musts = [target_id for target_id, _, must in targets if must == 1]
    others = [(target_id, weight) for target_id, weight, must in targets if must == 0]
    picks = [{"id": i, "ticket": tk, "via": "must"} for tk, i in in_ticket_order(musts, seed_string)]
    wanted = stratum["quota"] - len(musts)
    record = {"name": name, "seed": seed_string, "quota": stratum["quota"], "weighted": stratum["weighted"]}
    ordered = in_ticket_order([target_id for target_id, _ in others], seed_string)
    if stratum["weighted"] == 0:
        picks += [{"id": i, "ticket": tk, "via": "ticket"} for tk, i in ordered[:wanted]]
    else:
        weight = dict(others)
        pis = probabilities([weight[i] for _, i in ordered], wanted)
        digest = hashlib.sha256(f"{VERSION}|{seed_hex}|pps|{name}".encode()).digest()
        u = int.from_bytes(digest, "big")
        for k in systematic_positions(pis, Fraction(u, 2**256)):
            picks.append({"id": ordered[k][1], "ticket": ordered[k][0], "via": "pps"})
        table = {i: "1/1" for i in musts}
        for (_, i), pi in zip(ordered, pis, strict=True):
            table[i] = f"{pi.numerator}/{pi.denominator}"
        record["pps"] = {"u": f"{u:064x}",
                         "probabilities": [table[target_id] for target_id, _, _ in targets]}
    record["selected"] = picks
    return record


# --- §9.1 inputs ---------------------------------------------------------------------------------------

def is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_inputs(inputs):
    keys = {"algorithm", "plan", "policy", "strata"}
    require(isinstance(inputs, dict), "inputs: not an object")
    if "assignment" in inputs:
        keys.add("assignment")
    require(set(inputs) == keys, f"inputs: keys {sorted(inputs)}, expected {sorted(keys)}")
    require(inputs["algorithm"] == VERSION, f"inputs.algorithm is not {VERSION}")
    plan = inputs["plan"]
    require(isinstance(plan, dict) and set(plan) == {"jurisdiction", "level", "year", "quarter", "sequence",
                                                     "supersedes", "reason"}, "inputs.plan: wrong keys")
    require(isinstance(plan["jurisdiction"], str) and plan["jurisdiction"], "inputs.plan.jurisdiction")
    require(plan["level"] in ("city", "county"), "inputs.plan.level must be city or county")
    require(is_integer(plan["year"]) and 2000 <= plan["year"] <= 9999, "inputs.plan.year")
    require(is_integer(plan["quarter"]) and 1 <= plan["quarter"] <= 4, "inputs.plan.quarter must be 1-4")
    require(is_integer(plan["sequence"]) and plan["sequence"] >= 1, "inputs.plan.sequence")
    require(isinstance(plan["supersedes"], str) and isinstance(plan["reason"], str), "inputs.plan: texts")
    if plan["sequence"] == 1:
        require(plan["supersedes"] == "" and plan["reason"] == "", "a first draw supersedes nothing")
    else:
        require(HEX64.fullmatch(plan["supersedes"]) and plan["reason"].strip(),
                "a re-draw names the draw it supersedes and the approved reason")
    policy = inputs["policy"]
    require(isinstance(policy, dict) and set(policy) == {"id", "version", "fingerprint"}, "inputs.policy: keys")
    require(isinstance(policy["id"], str) and policy["id"], "inputs.policy.id")
    require(is_integer(policy["version"]) and policy["version"] >= 1, "inputs.policy.version")
    require(isinstance(policy["fingerprint"], str) and HEX64.fullmatch(policy["fingerprint"]),
            "inputs.policy.fingerprint")
    strata = inputs["strata"]
    require(isinstance(strata, list) and strata, "inputs.strata: a non-empty list")
    names = []
    for s in strata:
        check_stratum_inputs(s)
        names.append(s["name"])
    require(names == sorted(set(names)), "inputs.strata: sorted by name, each once")
    if "assignment" in inputs:
        check_assignment_inputs(inputs["assignment"])
    encode(inputs, "inputs")


def sorted_texts(value, where, repeats=False):
    require(isinstance(value, list) and all(isinstance(v, str) and v for v in value), f"{where}: list of texts")
    require(value == (sorted(value) if repeats else sorted(set(value))), f"{where}: not sorted / repeated")


def check_stratum_inputs(s):
    require(isinstance(s, dict) and set(s) == {"name", "quota", "weighted", "needs", "targets"},
            "stratum: keys name, quota, weighted, needs, targets")
    name = s["name"]
    require(isinstance(name, str) and name and "|" not in name and all(ord(c) >= 0x20 for c in name),
            f"stratum name {name!r}")
    where = f"stratum {name}"
    require(s["weighted"] in (0, 1) and is_integer(s["weighted"]), f"{where}: weighted is 0 or 1")
    needs = s["needs"]
    require(isinstance(needs, dict) and set(needs) == {"departments", "specialties", "expert_specialties"},
            f"{where}: needs keys")
    sorted_texts(needs["departments"], f"{where}.needs.departments")
    sorted_texts(needs["specialties"], f"{where}.needs.specialties")
    sorted_texts(needs["expert_specialties"], f"{where}.needs.expert_specialties", repeats=True)
    targets = s["targets"]
    require(isinstance(targets, list), f"{where}: targets is a list")
    ids = []
    for t in targets:
        require(isinstance(t, list) and len(t) == 3, f"{where}: a target is [id, weight, must_include]")
        target_id, weight, must = t
        require(isinstance(target_id, str) and target_id, f"{where}: target id")
        require(must in (0, 1) and is_integer(must), f"{where}: must_include 0 or 1")
        good_weight = is_integer(weight) and (weight >= 1 if s["weighted"] else weight == 1)
        require(good_weight, f"{where}: target {target_id} has weight {weight!r}")
        ids.append(target_id)
    require(ids == sorted(set(ids)), f"{where}: targets sorted by id, each once")
    musts = sum(t[2] for t in targets)
    require(is_integer(s["quota"]) and musts <= s["quota"] <= len(targets),
            f"{where}: quota {s['quota']!r} must lie between the {musts} must-include and {len(targets)} targets")


def check_assignment_inputs(a):
    keys = {"draw_date", "deadline", "team_size", "max_load", "inspectors", "recent_pairs", "recusals"}
    require(isinstance(a, dict) and set(a) == keys, "inputs.assignment: wrong keys")
    require(all(is_day(a[k]) for k in ("draw_date", "deadline")),
            "inputs.assignment: dates")
    require(a["deadline"] >= a["draw_date"], "inputs.assignment: deadline before the draw date")
    require(is_integer(a["team_size"]) and a["team_size"] >= 2, "inputs.assignment.team_size ≥ 2")
    require(is_integer(a["max_load"]) and a["max_load"] >= 1, "inputs.assignment.max_load ≥ 1")
    require(isinstance(a["inspectors"], list) and isinstance(a["recent_pairs"], list),
            "inputs.assignment: inspectors and recent_pairs are lists")
    require(isinstance(a["recusals"], dict), "inputs.assignment.recusals: an object")
    for target, names in a["recusals"].items():
        sorted_texts(names, f"inputs.assignment.recusals.{target}")
        require(names, f"inputs.assignment.recusals.{target}: empty")


# --- §7 the assignment problem, §8 substitutions --------------------------------------------------------

def task_of(target, strata_selecting, needs_by_stratum, a):
    departments, specialties, experts = set(), set(), {}
    for name in strata_selecting:
        needs = needs_by_stratum[name]
        departments.update(needs["departments"])
        specialties.update(needs["specialties"])
        for field in set(needs["expert_specialties"]):
            experts[field] = max(experts.get(field, 0), needs["expert_specialties"].count(field))
    return {"id": target, "deadline": a["deadline"], "team_size": a["team_size"],
            "departments": sorted(departments), "specialties": sorted(specialties),
            "expert_specialties": sorted(f for f, count in experts.items() for _ in range(count)),
            "recusals": a["recusals"].get(target, [])}


def tasks_for(selection, inputs):
    """selection: stratum name → ids. One task per selected target (§7)."""
    needs = {s["name"]: s["needs"] for s in inputs["strata"]}
    selecting = {}
    for name, ids in selection.items():
        for i in ids:
            selecting.setdefault(i, []).append(name)
    return {t: task_of(t, selecting[t], needs, inputs["assignment"]) for t in sorted(selecting)}


def problem_with(tasks, a):
    return {"draw_date": a["draw_date"], "max_load": a["max_load"], "tasks": tasks,
            "inspectors": a["inspectors"], "recent_pairs": a["recent_pairs"]}


def check_section(label, section, problem, seed_hex):
    if not isinstance(section, dict):
        return [f"{label}: missing"]
    found = []
    if section.get("seed") != seed_hex:
        found.append(f"{label}: seed {section.get('seed')!r} is not the draw seed {seed_hex}")
    if section.get("problem") != problem:
        found.append(f"{label}: its problem is not the one the inputs and the selection define")
    found += [f"{label}: {line}" for line in verify_assignment(section)]
    return found


def needs_key(task):
    return (task["team_size"], task["departments"], task["specialties"], task["expert_specialties"])


def replay_substitutions(manifest, drawn_records, seed_hex):
    inputs = manifest["inputs"]
    a = inputs.get("assignment")
    targets_of = {s["name"]: s["targets"] for s in inputs["strata"]}
    current = {r["name"]: [p["id"] for p in r["selected"]] for r in drawn_records}
    seeds = {r["name"]: r["seed"] for r in drawn_records}
    closed = []
    teams = {}
    if a is not None and isinstance(manifest.get("assignment"), dict):
        for team in manifest["assignment"]["result"]["teams"]:
            teams[team["task"]] = [m["inspector"] for m in team["members"]]
    found = []
    for n, event in enumerate(manifest["substitutions"]):
        require(isinstance(event, dict) and set(event) == {"out", "reason", "replacements", "teams"},
                f"substitution {n}: keys out, reason, replacements, teams")
        x = event["out"]
        label = f"substitution {n} ({x} out)"
        if not (isinstance(event["reason"], str) and event["reason"].strip()):
            found.append(f"{label}: no reason recorded")
        holding = [name for name in current if x in current[name]]
        if not holding:
            found.append(f"{label}: {x} is not in the current selection of any stratum")
            return found
        old_task = tasks_for(current, inputs)[x] if a is not None else None
        closed.append(x)
        expected = []
        for name in holding:
            taken = {i for ids in current.values() for i in ids} | set(closed)
            left = [t[0] for t in targets_of[name] if t[0] not in taken]
            position = current[name].index(x)
            if left:
                best_ticket, best = min((ticket(i, seeds[name]), i) for i in left)
                current[name][position] = best
                expected.append({"stratum": name, "in": best, "ticket": best_ticket})
            else:
                del current[name][position]
        if event["replacements"] != expected:
            found.append(f"{label}: replacements {json.dumps(event['replacements'], ensure_ascii=False)}, "
                         f"the rule gives {json.dumps(expected, ensure_ascii=False)}")
        recorded = event["teams"]
        if a is None:
            if recorded:
                found.append(f"{label}: teams recorded, but the draw has no inspector pool")
            continue
        now = tasks_for(current, inputs)
        carried = teams.pop(x, [])
        if len(recorded) != len(expected):
            found.append(f"{label}: {len(recorded)} team record(s), the rule gives {len(expected)}")
            continue
        for entry, got in zip(expected, recorded, strict=True):
            task = now[entry["in"]]
            where = f"{label}: team of {entry['in']}"
            if not isinstance(got, dict) or got.get("task") != entry["in"]:
                found.append(f"{where}: the record is for {got.get('task') if isinstance(got, dict) else got!r}")
                continue
            may_carry = carried and needs_key(task) == needs_key(old_task) and not set(carried) & set(task["recusals"])
            if may_carry:
                want = {"task": entry["in"], "rule": "carried", "from": x, "inspectors": carried}
                if got != want:
                    found.append(f"{where}: recorded {json.dumps(got, ensure_ascii=False)}, the rule carries "
                                 f"{x}'s team {carried}")
                teams[entry["in"]] = carried
                carried = []
            elif got.get("rule") != "drawn" or set(got) != {"task", "rule", "assignment"}:
                found.append(f"{where}: recorded as {got.get('rule')!r}, the rule draws a new team")
            else:
                found += check_section(where, got["assignment"], problem_with([task], a), seed_hex)
                for team in got["assignment"]["result"]["teams"]:
                    teams[team["task"]] = [m["inspector"] for m in team["members"]]
    return found


# --- §10 the whole check --------------------------------------------------------------------------------

def first_difference(label, published, expected):
    for k in range(min(len(published), len(expected))):
        if published[k] != expected[k]:
            return [f"{label}[{k}]: published {json.dumps(published[k], ensure_ascii=False)}, "
                    f"re-run {json.dumps(expected[k], ensure_ascii=False)}"]
    if len(published) != len(expected):
        return [f"{label}: published {len(published)} entries, re-run {len(expected)}"]
    return []


def verify_draw(manifest, sealed=None):
    """Every difference between a revealed manifest and its recomputation; [] when everything matches."""
    try:
        require(isinstance(manifest, dict), "the manifest is not an object")
        require(manifest.get("state") == "revealed", f"state {manifest.get('state')!r}: only a revealed manifest "
                "can be recomputed (give the sealed one with --sealed)")
        keys = {"algorithm", "state", "inputs", "inputs_hash", "commitment", "public_value", "secret", "seed",
                "strata", "selection_hash", "substitutions"}
        if isinstance(manifest.get("inputs"), dict) and "assignment" in manifest["inputs"]:
            keys.add("assignment")
        require(set(manifest) == keys, f"manifest keys {sorted(manifest)}, expected {sorted(keys)}")
        require(manifest["algorithm"] == VERSION, f"algorithm {manifest['algorithm']!r} is not {VERSION}")
        encode(manifest)
        for key in ("inputs_hash", "commitment", "secret", "seed", "selection_hash"):
            require(isinstance(manifest[key], str) and HEX64.fullmatch(manifest[key]), f"{key}: not 64 hex")
        require(isinstance(manifest["strata"], list) and isinstance(manifest["substitutions"], list),
                "strata and substitutions are lists")
        check_inputs(manifest["inputs"])
    except (Bad, KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        return [f"malformed manifest: {error}"]
    found = []
    try:
        recompute(manifest, sealed, found)
    except (Bad, KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        # whatever part of an untrusted file is malformed is reported as a difference, never as a crash
        found.append(f"malformed manifest: {type(error).__name__}: {error}")
    return found


def recompute(manifest, sealed, found):
    """Append to ``found`` every difference between the manifest and its recomputation (§10, steps 2–8)."""
    inputs = manifest["inputs"]
    real_hash = canonical_hash(inputs)
    if real_hash != manifest["inputs_hash"]:
        found.append(f"inputs_hash: published {manifest['inputs_hash']}, the inputs hash to {real_hash}")
    opened = hashlib.sha256(bytes.fromhex(manifest["secret"])).hexdigest()
    if opened != manifest["commitment"]:
        found.append(f"commitment: published {manifest['commitment']}, SHA-256(secret) = {opened}")
    found += [f"public_value: {p}" for p in public_value_problems(manifest["public_value"])]
    seed_hex = seed_of(real_hash, manifest["secret"], manifest["public_value"])
    if seed_hex != manifest["seed"]:
        found.append(f"seed: published {manifest['seed']}, recomputed {seed_hex}")
    expected = [rerun_stratum(s, seed_hex) for s in inputs["strata"]]
    published = manifest["strata"]
    if [r.get("name") if isinstance(r, dict) else r for r in published] != [r["name"] for r in expected]:
        found.append(f"strata: the manifest's strata are not the inputs' strata in order: the manifest has "
                     f"{[r.get('name') if isinstance(r, dict) else r for r in published]}, "
                     f"the inputs {[r['name'] for r in expected]}")
        return
    for got, want in zip(published, expected, strict=True):
        label = f"stratum {want['name']}"
        if set(got) != set(want):
            found.append(f"{label}: keys {sorted(got)}, expected {sorted(want)}")
            continue
        for key in ("seed", "quota", "weighted"):
            if got[key] != want[key]:
                found.append(f"{label}: {key} published {got[key]!r}, re-run {want[key]!r}")
        found += first_difference(f"{label}: selected", got["selected"], want["selected"])
        if "pps" in want:
            if got["pps"].get("u") != want["pps"]["u"]:
                found.append(f"{label}: u published {got['pps'].get('u')}, re-run {want['pps']['u']}")
            found += first_difference(f"{label}: probabilities", got["pps"].get("probabilities", []),
                                      want["pps"]["probabilities"])
    selection = {"strata": [{"name": r["name"], "selected": [p["id"] for p in r["selected"]]} for r in expected]}
    if canonical_hash(selection) != manifest["selection_hash"]:
        found.append(f"selection_hash: published {manifest['selection_hash']}, "
                     f"re-run {canonical_hash(selection)}")
    if "assignment" in inputs:
        chosen = {r["name"]: [p["id"] for p in r["selected"]] for r in expected}
        tasks = list(tasks_for(chosen, inputs).values())
        found += check_section("assignment", manifest["assignment"], problem_with(tasks, inputs["assignment"]),
                               seed_hex)
    try:
        found += replay_substitutions(manifest, expected, seed_hex)
    except Bad as error:
        found.append(f"malformed substitution: {error}")
    if sealed is not None:
        found += compare_sealed(sealed, manifest, canonical_hash(selection))


def compare_sealed(sealed, manifest, selection_hash):
    if not isinstance(sealed, dict) or sealed.get("state") != "sealed":
        return ["sealed: not a sealed manifest"]
    disclosed = isinstance(sealed.get("strata"), list) and any(
        isinstance(s, dict) and "selected" in s for s in sealed["strata"])
    sizes = {s["name"]: len(s["targets"]) for s in manifest["inputs"]["strata"]}
    strata = []
    for record in manifest["strata"]:
        entry = {"name": record["name"], "quota": record["quota"], "population": sizes[record["name"]]}
        if disclosed:
            entry["selected"] = [p["id"] for p in record["selected"]]
        strata.append(entry)
    want = {"algorithm": VERSION, "state": "sealed", "plan": manifest["inputs"]["plan"],
            "inputs_hash": manifest["inputs_hash"], "commitment": manifest["commitment"],
            "public_value": manifest["public_value"], "selection_hash": selection_hash, "strata": strata}
    return [f"sealed: {key} published {json.dumps(sealed.get(key), ensure_ascii=False)}, the revealed draw "
            f"gives {json.dumps(want.get(key), ensure_ascii=False)}"
            for key in sorted(set(want) | set(sealed)) if sealed.get(key) != want.get(key)]


def no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"key {key!r} appears twice in one object")
        seen[key] = value
    return seen


def read_json(path):
    # utf-8-sig: spec §2 accepts any JSON text of the value, and an editor may save the file with a BOM
    # (json refused it: "Unexpected UTF-8 BOM").
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text (byte {error.start}): not a JSON manifest") from None
    if not text.strip():
        raise ValueError(f"{path} is empty: not a JSON manifest")
    try:
        return json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON ({error}): not a JSON manifest") from None


# --- what the citizen reads ----------------------------------------------------------------------------

USAGE = "usage: python tools/verify_draw.py MANIFEST.json [--sealed SEALED.json] [--lang zh|en]"
LEVELS = {"city": "市级", "county": "县级"}


# The kind of plan a draw is of, told by the names of its strata: the system draws a regular plan (双随机抽查) from
# the strata key, special and general, an internal joint plan (内部联合抽查) from its one stratum joint, a clue check
# from clue and a cross-department check from cross. The names are the bureau's, not a rule of the draw spec, and
# the manifest has no field for the kind: a draw whose strata are none of these is not given one. In the words of
# the plan page's title (its kind is the plan's 类型), so a quarter's regular and joint plans of one place are told
# apart by more than their hashes.
KINDS = [
    (frozenset({"key", "special", "general"}), "双随机抽查", "double-random inspection"),
    (frozenset({"joint"}), "内部联合抽查", "internal joint inspection"),
    (frozenset({"clue"}), "线索核查", "clue check"),
    (frozenset({"cross"}), "跨部门联合抽查", "cross-department joint check"),
]


def kind_of(strata):
    """The plan kind (Chinese, English) that a manifest's strata (the inputs' or a sealed manifest's, each with a
    name) say, or None. A regular plan draws every one of key, special and general; a plan of another kind only its
    own stratum."""
    if not isinstance(strata, list) or not all(isinstance(s, dict) for s in strata):
        return None
    names = frozenset(s.get("name") for s in strata)
    if len(names) != len(strata):
        return None
    return next(((zh, en) for kinds, zh, en in KINDS if names == kinds), None)


def joint_departments(strata):
    """The departments taking part in an internal joint plan, as its inputs list them (needs.departments of the one
    stratum joint: one officer of each on every team); [] when the manifest does not say (a sealed one)."""
    if not isinstance(strata, list) or len(strata) != 1 or not isinstance(strata[0], dict):
        return []
    needs = strata[0].get("needs")
    found = needs.get("departments") if isinstance(needs, dict) else None
    return found if isinstance(found, list) and all(isinstance(d, str) for d in found) else []


def plan_of(plan, strata=None):
    """The draw a manifest's inputs.plan (or a sealed manifest's plan) names, in Chinese and in English, in the
    words of the portal's plan page ("2026年第3季度", 市级, 双随机抽查, 第 1 次抽取). A manifest carries no name of
    the place, only its division code (行政区划代码, which the plan page shows beside the place's name): the code
    is kept. The kind is said when ``strata`` (the inputs' or the sealed manifest's) tell it (``kind_of``), with
    the departments of a joint plan when the inputs list them."""
    if not isinstance(plan, dict):
        return "?", "?"
    where, level = plan.get("jurisdiction", "?"), plan.get("level", "?")
    year, quarter, n = plan.get("year", "?"), plan.get("quarter", "?"), plan.get("sequence", "?")
    kind = kind_of(strata)
    kind_zh, kind_en = (kind[0], f" {kind[1]}") if kind else ("", "")
    departments = joint_departments(strata) if kind and kind[0] == "内部联合抽查" else []
    taking_part = f"，参加科室：{'、'.join(departments)}" if departments else ""
    title = f"{kind_zh}计划" if kind else "抽查计划"  # 双随机抽查计划, as the page's title ends; or no kind said
    zh = f"{year}年第{quarter}季度{LEVELS.get(level, level)}{title}（行政区划代码 {where}{taking_part}）的第 {n} 次抽取"
    # English stays free of Chinese names: the number of departments, which the plan page lists
    part_en = f" with {len(departments)} departments taking part" if departments else ""
    en = f"the {year} Q{quarter} {level}-level{kind_en} plan of division code {where}{part_en}, draw {n}"
    reason, supersedes = plan.get("reason"), plan.get("supersedes")
    if n != 1 and isinstance(reason, str) and reason.strip():
        # a re-draw: the reason the plan page shows with it, and the draw it replaced by its inputs hash
        zh += f"（经批准重新抽取，原因：{reason}；取代输入哈希为 {supersedes} 的抽取）"
        en += f" (an approved re-draw replacing the draw with inputs hash {supersedes})"
    return zh, en


PUBLIC_SOURCES = {"dice": ("现场掷骰", "dice thrown before witnesses"), "lottery": ("彩票开奖号码", "lottery draw"),
                  "drand": ("drand 公共随机信标", "drand randomness beacon")}


def public_value_of(value):
    """The public random value as the plan page shows it under 公开随机数: the value, its source, and the
    witnesses, lottery or round a reader saw or can look up. English stays free of Chinese names (a lottery's or
    witness's name is Chinese): the value and its kind identify the draw as well."""
    if not isinstance(value, dict) or value.get("kind") not in PUBLIC_SOURCES:
        return "?", "?"
    kind, shown = value["kind"], value.get("value", "?")
    zh_source, en_source = PUBLIC_SOURCES[kind]
    if kind == "dice":
        witnesses = value.get("witnesses")
        named = isinstance(witnesses, list) and all(isinstance(w, str) for w in witnesses)
        names = "、".join(witnesses) if named else "?"
        return f"{shown}（{zh_source}，见证人：{names}）", f"{shown} ({en_source})"
    if kind == "lottery":
        return (f"{shown}（{zh_source}：{value.get('lottery', '?')}，{value.get('date', '?')}）",
                f"{shown} ({en_source} of {value.get('date', '?')})")
    return (f"{shown}（{zh_source}第 {value.get('round', '?')} 轮）",
            f"{shown} ({en_source}, round {value.get('round', '?')})")


# Each difference's English line (what differs, where) begins with the manifest field it concerns; the Chinese
# line says the same in words. Patterns in order, the first that matches the line's start.
GLOSSES = [
    (r"malformed manifest: state '(sealed)'", "这是封存清单，不是密钥公开后的完整清单"),
    (r"malformed (manifest|substitution)", "清单格式不符合抽取规范，无法重新计算"),
    (r"inputs_hash:", "输入哈希不符：清单中的输入（对象名单、抽取数量等）算出的哈希与清单公布的输入哈希不同"),
    (r"commitment:", "密钥不符：密钥的 SHA-256 不等于事先公开的密钥承诺"),
    (r"public_value:", "公开随机数的写法不符合规范"),
    (r"seed:", "种子不符：它不是由输入哈希、密钥和公开随机数算出的值"),
    (r"strata:", "类别不符：清单抽取结果中的类别与输入中的类别不一一对应"),
    (r"stratum (.+?): selected\[(\d+)\]", "类别 {0} 的第 {2} 个抽中对象与重新抽取的结果不同"),
    (r"stratum (.+?): selected:", "类别 {0} 抽中对象的个数与重新抽取的结果不同"),
    (r"stratum (.+?): probabilities\[(\d+)\]", "类别 {0} 的第 {2} 个对象的入样概率与重新计算的不同"),
    (r"stratum (.+?): probabilities:", "类别 {0} 的入样概率个数与重新计算的不同"),
    (r"stratum (.+?): u ", "类别 {0} 的系统抽样起点 u 与重新计算的不同"),
    (r"stratum (.+?): (seed|quota|weighted) ", "类别 {0} 的 {1} 与重新计算的不同"),
    (r"stratum (.+?): keys", "类别 {0} 的记录项目不符合规范"),
    (r"selection_hash:", "抽取结果哈希不符：重新抽取的结果算出的哈希与清单公布的不同"),
    (r"assignment: task (\S+): published team", "对象 {0} 的执法人员与重新随机分配的结果不同"),
    (r"assignment", "执法人员的随机分配无法按规则复现"),
    (r"substitution ()(\d+)", "第 {2} 条替换记录与替换规则不符"),
    (r"sealed: (\w+) ", "与封存清单不一致：封存清单的 {0} 与本清单不同（两个文件可能不是同一次抽取）"),
    (r"sealed:", "所给的 --sealed 文件不是封存清单"),
]


def gloss(line):
    for pattern, text in GLOSSES:
        match = re.match(pattern, line)
        if match:
            groups = [*match.groups(), *[""] * 3]
            number = str(int(groups[1]) + 1) if groups[1].isdigit() else groups[1]
            return text.format(groups[0], groups[1], number)
    return "与重新计算的结果不同"


def named_draw(manifest):
    """The draw a manifest that differs says it is, when its inputs.plan can be read: which file was checked."""
    inputs = manifest.get("inputs") if isinstance(manifest, dict) else None
    plan = inputs.get("plan") if isinstance(inputs, dict) else None
    return plan_of(plan, inputs.get("strata")) if isinstance(plan, dict) else None


def report_differences(found, lang, manifest=None):
    named = named_draw(manifest)
    if lang == "en":
        print(f"DIFFERS: {len(found)} problem(s)")
        if named:
            print(f"  The manifest says it is {named[1]}.")
        for line in found:
            print(f"  - {line}")
        return
    print(f"DIFFERS 不一致：发现 {len(found)} 处问题（每处先用中文说明，下一行是英文的技术细节："
          "published 为清单中的值，re-run / recomputed 为重新计算的值）")
    if named:
        print(f"  清单所载的抽取：{named[0]}")
    for n, line in enumerate(found, 1):
        print(f"  {n}. {gloss(line)}")
        print(f"     {line}")


def report_sealed_alone(manifest, lang):
    """A sealed manifest given alone: what it already lets the reader check, and what to do for the rest."""
    zh, en = plan_of(manifest.get("plan"), manifest.get("strata"))
    value_zh, value_en = public_value_of(manifest.get("public_value"))
    inputs_hash, commitment = manifest.get("inputs_hash"), manifest.get("commitment")
    if lang == "en":
        print(f"SEALED: this is the sealed manifest of {en}, published before the secret; it cannot be recomputed "
              "yet (only a revealed manifest can be recomputed) - this says nothing wrong about the draw.")
        print(f"  Check now that the plan page shows the same inputs hash {inputs_hash} and commitment {commitment},"
              f" and the public value {value_en}.")
        print("  Keep this file. Once the secret is published, download the complete manifest and run:")
        print("  python3 verify_draw.py COMPLETE.json --sealed THIS-FILE.json")
        return
    print(f"SEALED 封存清单：这是{zh}在密钥公开前的封存清单，其中没有密钥和对象名单，还不能重新计算"
          "（only a revealed manifest can be recomputed）。这不说明抽取有误。")
    print(f"  现在可以核对：计划页面公布的输入哈希是 {inputs_hash}，密钥承诺是 {commitment}，"
          f"公开随机数是 {value_zh}。")
    print("  请保存此文件；密钥公开后下载完整抽取清单，运行：")
    print("  python3 verify_draw.py 完整清单.json --sealed 本文件.json")


def report_ok(manifest, sealed, lang):
    counts = ", ".join(f"{r['name']} {len(r['selected'])}" for r in manifest["strata"])
    zh, en = plan_of(manifest["inputs"]["plan"], manifest["inputs"]["strata"])
    value_zh, value_en = public_value_of(manifest["public_value"])
    subs = len(manifest["substitutions"])
    if lang == "en":
        print(f"OK: {en}; public value {value_en}; inputs {manifest['inputs_hash']}; the secret opens its "
              f"commitment; seed "
              f"{manifest['seed']}; selection re-run identically ({counts}); assignment and {subs} "
              f"substitution(s) verified" + ("; the sealed manifest agrees" if sealed is not None else ""))
        print("  Check that the plan page shows the same inputs hash (under its title for the draw in force, in its"
              " draw records for every draw) and the same division code and public value: then this is the draw it"
              " published.")
        return
    pool = "执法人员的随机分配和 " if "assignment" in manifest["inputs"] else ""
    print("OK 验证通过：按抽取规范重新计算，结果与清单完全一致。")
    print(f"  抽取：{zh}")
    print(f"  公开随机数：{value_zh}")
    print(f"  输入哈希：{manifest['inputs_hash']}（请核对计划页面公布的输入哈希与此相同，才说明是该计划的这次抽取；"
          "计划页面标题下写有现行抽取的输入哈希和行政区划代码，“抽取记录”中有每次抽取的输入哈希和公开随机数）")
    print(f"  密钥的 SHA-256 等于事先公开的密钥承诺 {manifest['commitment']}")
    print(f"  种子：{manifest['seed']}")
    print(f"  重新抽取的对象、顺序和入样概率一致（各类别抽中数：{counts}）")
    print(f"  {pool}{subs} 条替换记录按规则复现一致")
    if sealed is not None:
        print("  与当初公开的封存清单一致")


def main(argv):
    args = argv[1:]
    lang = "zh"
    if "--lang" in args:
        k = args.index("--lang")
        if k + 1 >= len(args) or args[k + 1] not in ("zh", "en"):
            print(USAGE)
            print("--lang takes zh (中文, the default) or en (English)")
            return 2
        lang = args[k + 1]
        del args[k:k + 2]
    if "-h" in args or "--help" in args:  # not file names: the usage, as any command answers them
        print(USAGE)
        print("Recomputes a revealed draw manifest (docs/draw-spec.md); with --sealed, holds it to the sealed "
              "manifest published at the draw. Exit 0: everything matches; 1: it differs; 2: cannot read.")
        print("重新计算密钥公开后的完整抽取清单；加 --sealed 同时核对当初公开的封存清单。退出码 0：全部一致；"
              "1：不一致；2：文件无法读取。--lang en 只用英文输出。")
        return 0
    sealed_path = None
    if "--sealed" in args:
        k = args.index("--sealed")
        if k + 1 >= len(args):
            print(USAGE)
            return 2
        sealed_path = args[k + 1]
        del args[k:k + 2]
    if len(args) != 1:
        print(USAGE)
        return 2
    try:
        manifest = read_json(args[0])
        sealed = read_json(sealed_path) if sealed_path else None
    except (OSError, ValueError) as error:
        print(f"cannot read: {error}" if lang == "en" else f"cannot read 无法读取：{error}")
        return 2
    if isinstance(manifest, dict) and manifest.get("state") == "sealed" and sealed is None:
        report_sealed_alone(manifest, lang)
        return 1
    found = verify_draw(manifest, sealed)
    if found:
        report_differences(found, lang, manifest)
        return 1
    report_ok(manifest, sealed, lang)
    return 0


def utf8_output():
    """A Chinese result must reach a console or file whose encoding is not UTF-8 (an old Windows code page, a
    C locale) without a UnicodeEncodeError: what cannot be shown becomes '?'."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")


if __name__ == "__main__":
    utf8_output()
    sys.exit(main(sys.argv))
