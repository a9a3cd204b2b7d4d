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
import itertools
import multiprocessing
import time
from dataclasses import dataclass, field

from .compiler import layering
from .errors import InputError, InputErrors
from .knowledge import load_knowledge
from .evaluator import Evaluator
from .fidelity import fidelity_findings
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


class _GroupAnalysis:
    """The exhaustive analysis of one target group, layer by layer."""

    def __init__(self, kb, group):
        self.kb, self.group = kb, group
        scope = rule_scopes(kb)
        self.in_scope = [r for r in kb.rules if group in scope[r.id]]
        self.reachable, self.fired, self.lines, self.findings = {}, set(), [], []

    def run(self):
        depth = layering(self.kb).depth
        single = registry().single()
        for dim in sorted(single, key=lambda d: (depth[d], single.index(d))):
            self.single_dimension(dim)
        domain = _Domain(self.kb, self.reachable)
        for dim in MULTI_NON_EMPTY:
            self.never_empty(dim, domain)
        self.search_unfired(domain)
        return self.lines, self.findings, self.fired

    def single_dimension(self, dim):
        """Gaps, conflicts and reachable values of a single-valued dimension."""
        group = self.group
        applies = group in registry().dimensions[dim].applies_to
        rules = [r for r in self.in_scope if dim in r.singles()]
        if not rules:
            self.reachable[dim] = {None}
            if applies:
                self.findings.append(f"{group}: no rule decides '{dim}'")
            return
        domain = _Domain(self.kb, self.reachable)
        fields = _reads(rules)
        size = _size(fields, domain)
        if size > LIMIT:
            self.findings.append(f"{group}: '{dim}' reads too many fields to enumerate ({size} inputs): {fields}")
            self.reachable[dim] = {None}
            return
        started = time.time()
        outcomes: set = set()
        gaps: list = []
        conflicts: dict = {}
        for assignment, run in _enumerate(_subset_engine(self.kb, rules), group, fields, domain):
            self.fired |= run.fired_rules
            value = run.decided.get(dim)
            outcomes.add(value)
            if value is None and applies:
                gaps.append(assignment)
            for conflict in run.conflicts:
                key = tuple(sorted(r for rs in conflict.values.values() for r in rs))
                conflicts.setdefault(key, (conflict, assignment))
        self.reachable[dim] = outcomes if applies else outcomes | {None}
        self.lines.append(f"{group}: {dim}: {size} inputs over {len(fields)} fields {fields}, {len(rules)} rules, "
                          f"values {sorted(str(v) for v in outcomes)} ({time.time() - started:.1f}s)")
        if gaps:
            self.findings.append(f"{group}: gap: '{dim}' gets no value in {len(gaps)} of {size} inputs, "
                                 f"e.g. {_example(_smallest(gaps))}")
        for (conflict, assignment) in conflicts.values():
            values = "; ".join(f"{v} by {', '.join(r)}" for v, r in conflict.values.items())
            self.findings.append(f"{group}: conflict on '{dim}' at priority {conflict.priority}: {values}; "
                                 f"e.g. {_example(assignment)}")

    def never_empty(self, dim, domain):
        """A multi-valued dimension that must never come out empty."""
        rules = sorted((r for r in self.in_scope if dim in r.concludes()),
                       key=lambda r: (_size(_reads([r]), domain), r.id))
        chosen: list = []
        fields: list = []
        for rule in rules:
            trial = sorted(set(fields) | set(_reads([rule])))
            if _size(trial, domain) <= 5_000:
                chosen.append(rule)
                fields = trial
        if not chosen:
            self.findings.append(f"{self.group}: no rule ever adds '{dim}'")
            return
        empty = []
        for assignment, run in _enumerate(_subset_engine(self.kb, chosen), self.group, fields, domain):
            self.fired |= run.fired_rules
            if not run.collected[dim]:
                empty.append(assignment)
        self.lines.append(f"{self.group}: {dim} never empty: checked {_size(fields, domain)} inputs over {fields} "
                          f"with {len(chosen)} of {len(rules)} rules")
        if empty:
            self.findings.append(f"{self.group}: '{dim}' is empty in {len(empty)} inputs, "
                                 f"e.g. {_example(_smallest(empty))}")

    def search_unfired(self, domain):
        """Rules not yet seen firing: search their own inputs with a small evaluator per
        set of fields read (multi-valued rules do not chain, so the rule alone decides)."""
        pending: dict = {}
        for rule in self.in_scope:
            if not rule.singles() and rule.id not in self.fired:
                pending.setdefault(tuple(_reads([rule])), []).append(rule)
        for fields, rules in sorted(pending.items()):
            if _size(fields, domain) > LIMIT:
                continue
            wanted = {r.id for r in rules}
            for _, run in _enumerate(_subset_engine(self.kb, rules), self.group, list(fields), domain):
                self.fired |= run.fired_rules
                if wanted <= self.fired:
                    break


def _smallest(assignments):
    return min(assignments, key=lambda a: sum(v is not None for v in a.values()))


def analyse_group(group, rules_dir=None):
    """Analyse one target group; returns (lines, findings, fired rule ids)."""
    return _GroupAnalysis(load_knowledge(rules_dir), group).run()


_FORKED_KB = None      # the knowledge base a forked worker inherits


def _analyse_forked(group):
    return _GroupAnalysis(_FORKED_KB, group).run()


def id_fits_file(rule_id, file):
    """A rule's first id segment names its file: `women.project.l1` lives in women_*.yaml,
    `good_practice.checklist` in good_practice.yaml, so `grep` and `rules show` agree."""
    stem = file.rsplit("/", 1)[-1].removesuffix(".yaml")
    first = rule_id.split(".", 1)[0]
    return stem == first or stem.startswith(first + "_")


def static_findings(kb):
    """What can be seen from the rules without running them."""
    findings = []
    cited = {s for r in kb.rules for s in r.spec.sources}
    cited |= {ref.id for r in kb.rules for ref in r.then.multi("reference_projects")}
    for source in vocabulary().sources:
        # A section counts as cited when it or one of its parts (A.rec.2.1.recruitment) is.
        if source not in cited and not any(c.startswith(source + ".") for c in cited):
            findings.append(f"source id '{source}' is cited by no rule")
    for rule in kb.rules:
        if not id_fits_file(rule.id, rule.file):
            stem = rule.file.rsplit("/", 1)[-1].removesuffix(".yaml")
            findings.append(f"rule '{rule.id}' ({rule.file}:{rule.line}): its id should start with the "
                            f"file's prefix ('{stem.split('_')[0]}.' or '{stem}.'); move it to the file its "
                            "id names or rename it")
    for rule in kb.rules:
        # the design states an assumption only while a fact the rule reads is unknown
        # (or the rule decided a dimension as a fallback); otherwise the text is dead
        if rule.spec.assumes and not rule.singles():
            required = {t.field for t in rule.conditions.tests if t.op != "unknown"}
            if not [f for f in rule.reads() if f not in required and f not in registry().readable
                    and f != "target_group"]:
                findings.append(f"rule '{rule.id}' ({rule.file}:{rule.line}): its 'assumes' text "
                                "is never shown, because every fact it reads must be known")
    return findings


def _run_groups(kb, workers, progress, started):
    global _FORKED_KB
    groups = list(vocabulary().fields["target_group"]["values"])
    results = []
    if workers > 1:
        _FORKED_KB = kb
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            for group, result in zip(groups, pool.imap(_analyse_forked, groups)):
                results.append(result)
                if progress:
                    progress(f"analysed {group} ({time.time() - started:.1f}s)")
        _FORKED_KB = None
        return results
    for group in groups:
        results.append(_GroupAnalysis(kb, group).run())
        if progress:
            progress(f"analysed {group} ({time.time() - started:.1f}s)")
    return results


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
    report.summary.append(f"lint: {len(kb.rules)} rules in {len(kb.files)} files, no problems")
    report.findings += static_findings(kb)
    # channel prerequisites, comparable projects, contradictions, stated assumptions (expert/fidelity.py)
    report.findings += fidelity_findings(kb)
    fired = set()
    for lines, findings, group_fired in _run_groups(kb, workers, progress, started):
        report.summary += lines
        report.findings += findings
        fired |= group_fired
    for rule in kb.rules:
        if rule.id not in fired:
            report.findings.append(f"unreachable: rule '{rule.id}' ({rule.file}:{rule.line}) fires for no input")
    report.summary.append(f"analysis took {time.time() - started:.1f}s on {workers} worker(s)")
    return report
