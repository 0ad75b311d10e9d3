"""The draw writes the very same bytes as before it was made faster.

A small quarter of synthetic plans — non-ASCII ids (some given decomposed), must-include and weighted strata
with capped units, a joint stratum, specialties and experts, recusals, recent pairs, a re-draw, a draw without
inspectors, an infeasible assignment and substitutions with carried and drawn teams — is frozen and drawn, and
the SHA-256 of every inputs, manifest and sealed manifest is compared with the value the engine wrote before
its 2026-11-29 speed-up (``RECORDED``). The data is made here from hashes, not by the demo generator, so that
nothing but the engine can change these bytes. Any change to them is a change of the specification.
"""

import hashlib
from datetime import date

import pytest

from shuangsuiji.engine import assignment, canonical
from shuangsuiji.engine import manifest as m
from shuangsuiji.engine.sampling import Candidate

DEPARTMENTS = ("大气环境处", "水生态环境处", "执法支队")
SPECIALTIES = ("在线监测", "危险废物", "辐射")


def _number(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()[:8], "big")


def _id(plan: int, n: int) -> str:
    code = f"91130{plan:03d}{_number('id', plan, n) % 10**9:09d}X"
    # one id in 23 is a name with an accent, one in 47 given decomposed (e + U+0301): freeze writes NFC
    if n % 47 == 5:
        return f"企业e\u0301{code}"
    if n % 23 == 3:
        return f"企业é{code}"
    return code


def _plan(k: int, size: int, people: int, *, infeasible: bool = False,
          frozen: bool = False) -> tuple[dict | m.FrozenInputs, bytes, dict]:
    ids = [_id(k, n) for n in range(size)]
    key = ids[: size // 5]
    special = ids[size // 5: size // 5 + max(3, size // 30)]
    general = ids[size // 5 + len(special):]
    strata = [
        m.StratumInput("key", max(1, len(key) // 4),
                       [Candidate(id, 1, _number("must", id) % 9 == 0) for id in key]),
        m.StratumInput("joint", max(1, len(key) // 10), [Candidate(id) for id in key],
                       needs=m.Needs(departments=DEPARTMENTS[:2])),
        m.StratumInput("special", max(1, len(special) // 2), [Candidate(id) for id in special],
                       needs=m.Needs(specialties=(SPECIALTIES[k % 3],),
                                     expert_specialties=(SPECIALTIES[0],) if k % 2 else ())),
        # weights up to 400 against a few hundred units: the largest are capped at π = 1
        m.StratumInput("general", len(general) // 6,
                       [Candidate(id, 400 if _number("w", id) % 97 == 0 else 1 + _number("w", id) % 5)
                        for id in general], weighted=True),
    ]
    pool = [
        assignment.Inspector(
            f"执法{k:02d}{n:04d}", DEPARTMENTS[n % 3],
            SPECIALTIES if n % 17 == 0 else
            tuple(s for j, s in enumerate(SPECIALTIES) if _number("s", k, n, j) % 3 == 0),
            None if n % 17 == 0 and not infeasible else date(2022, 6, 30) if n % 11 else date(2021, 10, 1),
            "on_leave" if n % 29 == 7 else "active", expert=n % 17 == 0 and not infeasible)
        for n in range(people)
    ]
    names = [p.id for p in pool]
    pairs = [(names[n], names[(n * 7 + 3) % len(names)]) for n in range(0, len(names), 3)
             if names[n] != names[(n * 7 + 3) % len(names)]]
    recusals = {id: [names[_number("r", id) % len(names)]] for id in ids if _number("r", id) % 13 == 0}
    sequence = 2 if k % 4 == 3 else 1
    plan = m.Plan(f"13{k:04d}", "city" if k % 3 == 0 else "county", 2021, 1 + k % 4, sequence,
                  "ab" * 32 if sequence > 1 else "", "名录有误，经批准重新抽取" if sequence > 1 else "")
    inputs = (m.freeze_inputs if frozen else m.freeze)(plan, m.PolicyRef("baoding-2021", 1, "cd" * 32), strata,
                      None if k == 5 else m.AssignmentInputs(
                          date(2021, 9, 24), date(2021, 12, 31), 3 if k % 5 == 1 else 2, 2 if infeasible else 40,
                          pool, pairs, recusals))
    secret = hashlib.sha256(f"secret {k}".encode()).digest()
    public = (m.dice(f"{_number('dice', k) % 10**8:08d}", ["见证人甲", "见证人乙"]) if k % 3 else
              m.drand("52db" * 16, 1000 + k, f"{_number('drand', k):016x}" * 4))
    return inputs, secret, public


CASES = {
    "small": (0, 60, 12, False),
    "cities": (1, 900, 40, False),
    "county": (2, 300, 25, False),
    "redraw": (3, 500, 30, False),
    "infeasible": (4, 400, 6, True),
    "no inspectors": (5, 200, 10, False),
    "large": (6, 3000, 120, False),
}
RECORDED: dict[str, tuple[str, str, str, str]] = {
    "cities": (
        "5a317ca08c27586dd844d3076663d90ab19389e39fcdd055020f374167b3289e",
        "2266ef62a0bab91056986e097a10eb533088f0f506528e6dff567490d848f847",
        "e5aff09dd11b36d7576a7c366eb61fa8990f8c3ed3abda9d80f56af7e01ab446",
        "fd382333d64c0b1b3a799e85af35804aa8368594483e217839960108ce004437",
    ),
    "county": (
        "e7529d90b914d694fec5cb87e2586bd10b52bddaa1af8747e6653223b9f44855",
        "8415b8320379edbdbc429e9a7585e4cbc7242ed3ff3fe0489e21b334fd622591",
        "5c8724bf5648a60a716094c6415b8404206e7a47d597863e68ffec27b38f055e",
        "38d15f07cdd51475ef9fa2c607d83f7b10bb83f951f64b698b98ceefb039666e",
    ),
    "infeasible": (
        "6433ea8cfaa584eba89f45927da9a8b1e0f7189e4c1bc42cf53ac6407c3f4d81",
        "ca3aefe8dba78c560d0beb9336f386da7f6ea00edc79272293d86ca8499d84e4",
        "7929761584764b83dab66fdd508966055f8c83065e74f759cac1712874f6c346",
        "80d900e2b7311ce7f6e24356f2a2da1350666c83446cd2f3d3ce093cb9e60b11",
    ),
    "large": (
        "af8db581ccd078e2e36203415fba61c2045f4f243841d1b8d08094295ea23996",
        "855e9d00704a5f3f9e93fc7b70fe84e5b0ef459c23e4623826c52109146fdb2e",
        "3360eb846aaf8391d1d0853748ccf7929093a25aa7fc3b59c394fbbe14f76519",
        "3005c374c6be497e3601c556c9f56c34adf00edf91c657f86e3627170657ab07",
    ),
    "no inspectors": (
        "b8c6adf0011915ab63f0b3cdbb2035039c1d2c81c50f34e373056948dab024de",
        "a482879eba664492b922124f2c2ca37edbb90e77f654c9296472802b3b709209",
        "f011e26a708020ee039f73a1062127272b96051306d749ca795b598ccb14479c",
        "0d956a0d42c4a3d04958c34e0f34ffa6e10708e300da8072ba9501f4542d086c",
    ),
    "redraw": (
        "cca1435c4a4c38fe44a21f673b4cbe1d389b49b11d76199c3f3880dc574a1a47",
        "f75f016277a00c64b3ea9420cfc124fda7f4939926e29f1ec381ebda936a54f0",
        "ebc3fe5809e2f01f829830c8ca9a2d8a64c7b5302046872fd030a5c2305f99df",
        "5f9774bf1e0e2e7e6c50df83d4b501b59986da39b8f66889974f514b7ed87f6e",
    ),
    "small": (
        "b801b812b7a452e5ab973c3a4bb7c3b7f7061c6e39228150cd26f08693706c27",
        "688d4f364d1d9c65b083ac26edeafdc626d814bf3611e6251ff5970553f81427",
        "43266fefbc50be9226f5c6aa3b6c16fa77ef9a0bc863c13357774dedf92acc2a",
        "f95a42c1f59717d2b01466ab362aa6eab3406891eb0c30ab0cc7923ed1d306dd",
    ),
}
"""Per case: SHA-256 of the inputs (the inputs hash), of the manifest, of the sealed manifest listing the
selection, and of the manifest after two substitutions — as the engine wrote them before the speed-up."""


def _digests(case: str, frozen: bool = False) -> tuple[str, str, str, str]:
    inputs, secret, public = _plan(*CASES[case][:3], infeasible=CASES[case][3], frozen=frozen)
    if isinstance(inputs, m.FrozenInputs):
        digest = inputs.digest
        drawn, data = m.draw_canonical(inputs, secret, public)
        assert data == canonical.dumps(drawn)
    else:
        digest = m.inputs_hash(inputs)
        drawn = m.draw(inputs, secret, public)
    assert drawn["inputs_hash"] == digest
    closed = [p["id"] for s in drawn["strata"] for p in s["selected"] if p["via"] != "must"][:2]
    substituted = drawn
    for id in closed:
        substituted = m.substitute(substituted, id, "企业已关停")
    assert m.verify(substituted) == []
    return (drawn["inputs_hash"], canonical.sha256_hex(canonical.dumps(drawn)),
            canonical.sha256_hex(canonical.dumps(m.seal(drawn, disclose_selection=True))),
            canonical.sha256_hex(canonical.dumps(substituted)))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("frozen", [False, True], ids=["freeze", "freeze_inputs"])
@pytest.mark.parametrize("writer", ["fast", "reference"])
def test_the_draw_writes_the_recorded_bytes(case, frozen, writer, monkeypatch):
    """Whether the draw reads stored inputs strictly or takes those its freeze checked and wrote, and whether
    canonical JSON is written by orjson or by the standard library (the reference)."""
    if writer == "reference":
        monkeypatch.setattr(canonical, "_fast", None)
    assert _digests(case, frozen) == RECORDED[case]
