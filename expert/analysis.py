"""`aanpakwijzer rules check`: lint plus an exhaustive analysis of the knowledge base.

The analysis is layered. For each target group, single-valued dimensions are
analysed in derivation order: an engine holding only the rules that decide the
dimension runs over every combination of the fields those rules read (each
enumerated value, plus "unknown"; numbers cut at the thresholds the rules use),
with the dimensions they read given as inputs over the values found reachable
upstream. That finds gaps (no value), conflicts (same priority, different values)
and the reachable values for the next layer. Multi-valued dimensions are checked to
be never empty, and every rule must fire for some input. Because derived values
are treated as free inputs, an example may combine a derived value with raw facts
that could not produce it; the example shows exactly what was given.
"""
import functools
import itertools
import multiprocessing
import time
from dataclasses import dataclass, field

from .compiler import layering
from .errors import InputError, InputErrors
from .knowledge import load_knowledge
from .evaluator import Evaluator
from .scoping import rule_scopes
from .vocabulary import registry, vocabulary

# Multi-valued dimensions that must never come out empty (reference projects may).
MULTI_NON_EMPTY = ("recruitment", "director_role", "preconditions", "risks")
LIMIT = 200_000     # largest input domain enumerated for one question


@dataclass
class Report:
    summary: list = field(default_factory=list)
    findings: list = field(default_factory=list)


def _thresholds(kb, name):
    spec = vocabulary().fields[name]
    points = {spec["min"], spec["max"]}
    for rule in kb.rules:
        for cond in [rule.conditions] + list(rule.met_when.values()):
            for test in cond.all_tests():
                if test.field == name:
                    points |= test.operator.enumeration_points(test.value)
    return sorted(p for p in points if spec["min"] <= p <= spec["max"])


class _Domain:
    """The values enumerated per field: raw fields from the vocabulary, dimensions as reachable."""

    def __init__(self, kb, reachable):
        self.kb, self.reachable = kb, reachable

    def values(self, name):
        if name in registry().readable:
            return sorted(self.reachable.get(name, {None}), key=lambda v: (v is not None, str(v)))
        spec = vocabulary().fields[name]
        if spec["type"] == "int":
            values = _thresholds(self.kb, name)
        else:
            values = vocabulary().field_values(name)
        return [None] + list(values)


def _subset_engine(kb, rules):
    """An evaluator of only these rules (the plain evaluator: `rules check` runs tens of
    thousands of small evaluations, and tests/test_evaluator.py keeps it equal to experta)."""
    return Evaluator(kb.subset(rules))


def _enumerate(engine, group, fields, domain):
    """Yield (assignment, run) for every combination of the fields' values."""
    choices = [domain.values(f) for f in fields]
    for combo in itertools.product(*choices):
        facts = {"target_group": group}
        injected: dict = {}
        for name, value in zip(fields, combo):
            if value is None:
                continue
            (injected if name in registry().readable else facts)[name] = value
        yield dict(zip(fields, combo)), engine.evaluate(facts, injected)


def _size(fields, domain):
    total = 1
    for name in fields:
        total *= len(domain.values(name))
    return total


def _example(assignment):
    shown = {k: v for k, v in assignment.items() if v is not None}
    return "{" + ", ".join(f"{k}: {v}" for k, v in shown.items()) + "}" if shown else "{only target_group}"


def _reads(rules):
    return sorted({f for r in rules for f in r.reads() if f != "target_group"})


def analyse_group(group, rules_dir=None):
    """Analyse one target group; returns (lines, findings, fired rule ids)."""
    kb = load_knowledge(rules_dir)
    scope = rule_scopes(kb)
    depth = layering(kb).depth
    single = registry().single()
    in_scope = [r for r in kb.rules if group in scope[r.id]]
    reachable, fired, lines, findings = {}, set(), [], []
    for dim in sorted(single, key=lambda d: (depth[d], single.index(d))):
        applies = group in registry().dimensions[dim].applies_to
        rules = [r for r in in_scope if dim in r.then.singles()]
        if not rules:
            reachable[dim] = {None}
            if applies:
                findings.append(f"{group}: no rule decides '{dim}'")
            continue
        domain = _Domain(kb, reachable)
        fields = _reads(rules)
        size = _size(fields, domain)
        if size > LIMIT:
            findings.append(f"{group}: '{dim}' reads too many fields to enumerate ({size} inputs): {fields}")
            reachable[dim] = {None}
            continue
        started = time.time()
        engine = _subset_engine(kb, rules)
        outcomes: set = set()
        gaps: list = []
        conflicts: dict = {}
        for assignment, run in _enumerate(engine, group, fields, domain):
            fired |= run.fired_rules
            value = run.decided.get(dim)
            outcomes.add(value)
            if value is None and applies:
                gaps.append(assignment)
            for conflict in run.conflicts:
                key = tuple(sorted(r for rs in conflict.values.values() for r in rs))
                conflicts.setdefault(key, (conflict, assignment))
        reachable[dim] = outcomes if applies else outcomes | {None}
        lines.append(f"{group}: {dim}: {size} inputs over {len(fields)} fields {fields}, "
                     f"{len(rules)} rules, values {sorted(str(v) for v in outcomes)} ({time.time() - started:.1f}s)")
        if gaps:
            smallest = min(gaps, key=lambda a: sum(v is not None for v in a.values()))
            findings.append(f"{group}: gap: '{dim}' gets no value in {len(gaps)} of {size} inputs, "
                            f"e.g. {_example(smallest)}")
        for (conflict, assignment) in conflicts.values():
            values = "; ".join(f"{v} by {', '.join(r)}" for v, r in conflict.values.items())
            findings.append(f"{group}: conflict on '{dim}' at priority {conflict.priority}: {values}; "
                            f"e.g. {_example(assignment)}")
    # Multi-valued dimensions and the rules that conclude no single-valued dimension.
    multi_rules = [r for r in in_scope if not r.then.singles()]
    domain = _Domain(kb, reachable)
    for dim in MULTI_NON_EMPTY:
        rules = sorted((r for r in in_scope if dim in r.concludes()),
                       key=lambda r: (_size(_reads([r]), domain), r.id))
        chosen, fields = [], []
        for rule in rules:
            trial = sorted(set(fields) | set(_reads([rule])))
            if _size(trial, domain) <= 5_000:
                chosen.append(rule)
                fields = trial
        if not chosen:
            findings.append(f"{group}: no rule ever adds '{dim}'")
            continue
        sub = _subset_engine(kb, chosen)
        empty = []
        for assignment, run in _enumerate(sub, group, fields, domain):
            fired |= run.fired_rules
            if not run.collected[dim]:
                empty.append(assignment)
        lines.append(f"{group}: {dim} never empty: checked {_size(fields, domain)} inputs over {fields} "
                     f"with {len(chosen)} of {len(rules)} rules")
        if empty:
            smallest = min(empty, key=lambda a: sum(v is not None for v in a.values()))
            findings.append(f"{group}: '{dim}' is empty in {len(empty)} inputs, e.g. {_example(smallest)}")
    # Rules not yet seen firing: search their own inputs with a small engine per
    # set of fields read (multi-valued rules do not chain, so the rule alone decides).
    pending: dict = {}
    for rule in multi_rules:
        if rule.id not in fired:
            pending.setdefault(tuple(_reads([rule])), []).append(rule)
    for fields, rules in sorted(pending.items()):
        if _size(fields, domain) > LIMIT:
            continue
        wanted = {r.id for r in rules}
        sub = _subset_engine(kb, rules)
        for _, run in _enumerate(sub, group, list(fields), domain):
            fired |= run.fired_rules
            if wanted <= fired:
                break
    return lines, findings, fired


def analyse(workers=2, progress=None, rules_dir=None):
    report = Report()
    started = time.time()
    try:
        kb = load_knowledge(rules_dir)
        layering(kb)
    except InputErrors as exc:
        report.findings = [e.describe() for e in exc.errors]
        return report
    except InputError as exc:
        report.findings = [exc.describe()]
        return report
    voc = vocabulary()
    report.summary.append(f"lint: {len(kb.rules)} rules in {len(kb.files)} files, no problems")
    cited = {s for r in kb.rules for s in r.spec.sources}
    cited |= {ref.id for r in kb.rules for ref in r.then.multi("reference_projects")}
    for source in voc.sources:
        # A section counts as cited when it or one of its parts (A.rec.2.1.recruitment) is.
        if source not in cited and not any(c.startswith(source + ".") for c in cited):
            report.findings.append(f"source id '{source}' is cited by no rule")
    for rule in kb.rules:
        # the design states an assumption only while a fact the rule reads is unknown
        # (or the rule decided a dimension as a fallback); otherwise the text is dead
        if rule.spec.assumes and not rule.then.singles():
            required = {t.field for t in rule.conditions.tests if t.op != "unknown"}
            if not [f for f in rule.reads() if f not in required and f not in registry().readable
                    and f != "target_group"]:
                report.findings.append(f"rule '{rule.id}' ({rule.file}:{rule.line}): its 'assumes' text "
                                       "is never shown, because every fact it reads must be known")
    groups = list(voc.fields["target_group"]["values"])
    if workers > 1:
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            results = []
            analyse_one = functools.partial(analyse_group, rules_dir=rules_dir)
            for group, result in zip(groups, pool.imap(analyse_one, groups)):
                results.append(result)
                if progress:
                    progress(f"analysed {group} ({time.time() - started:.1f}s)")
    else:
        results = []
        for group in groups:
            results.append(analyse_group(group, rules_dir))
            if progress:
                progress(f"analysed {group} ({time.time() - started:.1f}s)")
    fired = set()
    for lines, findings, group_fired in results:
        report.summary += lines
        report.findings += findings
        fired |= group_fired
    for rule in kb.rules:
        if rule.id not in fired:
            report.findings.append(f"unreachable: rule '{rule.id}' ({rule.file}:{rule.line}) fires for no input")
    report.summary.append(f"analysis took {time.time() - started:.1f}s on {workers} worker(s)")
    return report
