"""Running a consultation: situation in, Design out.

`Advisor` owns compiled, warm experta engines (one per target group) and resets
them between consultations (building an engine costs ~20 ms and experta leaks a little per
engine). experta engines are not thread-safe, so `consult()` keeps one Advisor per
thread.
"""
import gc
import threading
from dataclasses import dataclass
from functools import lru_cache

from .compiler import Decided, Input, Proposed, compile_engine, layering
from .design import (Assumption, Channel, Childcare, Conflict, Design, Execution, Item,
                     LeadTime, OpenQuestion, Precondition, Reference, ResultAgreements, Risk,
                     TraceStep)
from .experta_compat import KnowledgeEngine
from .knowledge import CONDITION_DIMENSIONS, SINGLE, KnowledgeBase, knowledge_base
from .situation import known_facts, parse_situation
from .vocabulary import vocabulary

# Which part of the design each knowledge dimension shows up in.
DESIGN_PART = {"level": "participation_level", "category": "participation_level",
               "scale": "execution", "execution_approach": "execution",
               "childcare": "childcare", "result_agreements": "result_agreements",
               "lead_time": "lead_time", "recruitment": "recruitment",
               "director_role": "director_role", "preconditions": "preconditions",
               "risks": "risks", "reference_projects": "reference_projects"}
PART_ORDER = ["participation_level", "recruitment", "childcare", "result_agreements",
              "lead_time", "execution", "director_role", "preconditions", "risks",
              "reference_projects"]
STATUS_WEIGHT = {"met": 0, "unknown": 1, "not_met": 2}   # several rules: the most cautious wins
CHECKLIST_FILE = "rules/good_practice.yaml"                # annex III criteria, reported on every design


class Run:
    """What one consultation recorded while experta fired rules."""

    def __init__(self, facts):
        self.facts = facts
        self.decided, self.decided_by = {}, {}
        self.candidates = {}          # dim -> [(priority, step, rule id, value)]
        self.steps = []
        self.step_of = {}             # rule id -> trace step dict
        self.done = set()
        self.channels = {}            # channel -> {"weight", "rules"}
        self.items = {"director_role": {}, "risks": {}}
        self.preconditions = {}       # id -> {"status", "rules"}
        self.references = {}          # id -> {"resemblance": [Text], "rules"}
        self.conflicts = []

    def value(self, field):
        if field in self.facts:
            return self.facts[field]
        return self.decided.get(field, "unknown")


class RecordingEngine(KnowledgeEngine):
    """The experta engine; compiled rules call `on_fire` from their right-hand side."""

    kb = None
    run_record = None

    def evaluate(self, facts, injected=None, declaration_order=None):
        """Reset, declare the known facts (and, for analysis, already-decided
        dimensions), run, and return the Run record."""
        run = Run(facts)
        self.reset()
        self.run_record = run
        try:
            # One declaration for all facts: experta matches after each declare call.
            declared = [Input(field=name, value=facts[name]) for name in declaration_order or facts]
            for dim, value in (injected or {}).items():
                run.decided[dim], run.decided_by[dim] = value, "(given)"
                declared.append(Decided(dimension=dim, value=value))
            if declared:
                self.declare(*declared)
            self.run()
        finally:
            self.run_record = None
        return run

    def get_deffacts(self):
        # experta looks these up with inspect.getmembers on every reset; they never change
        if "_deffacts" not in self.__dict__:
            self._deffacts = super().get_deffacts()
        return self._deffacts

    def on_fire(self, kind, *args):
        getattr(self, f"_fire_{kind}")(*args)

    def _fire_rule(self, rule_id):
        run = self.run_record
        if rule_id in run.done:          # an `any` rule can match in several ways
            return
        run.done.add(rule_id)
        rule = self.kb.by_id[rule_id]
        then = rule.spec.then
        step = {"rule": rule_id, "matched": {f: run.value(f) for f in rule.reads()},
                "derived_from": {f: run.decided_by[f] for f in rule.reads() if f in run.decided_by},
                "concluded": {}, "overruled_by": {}}
        run.steps.append(step)
        run.step_of[rule_id] = step
        number = len(run.steps)
        for dim, value in then.singles().items():
            run.candidates.setdefault(dim, []).append((rule.spec.priority, number, rule_id, value))
            step["concluded"][dim] = ({"min_months": value[0], "recommended_months": value[1]}
                                      if dim == "lead_time" else value)
            self.declare(Proposed(dimension=dim))
        for channel in then.recruitment:
            entry = run.channels.setdefault(channel.channel, {"weight": 0, "rules": []})
            entry["weight"] = max(entry["weight"], channel.weight)
            entry["rules"].append(rule_id)
        if then.recruitment:
            step["concluded"]["recruitment"] = {c.channel: c.weight for c in then.recruitment}
        for dim in ("director_role", "risks"):
            for item_id in getattr(then, dim):
                run.items[dim].setdefault(item_id, []).append(rule_id)
            if getattr(then, dim):
                step["concluded"][dim] = list(getattr(then, dim))
        for pre in then.preconditions:
            if pre.status:
                self._fire_precondition(rule_id, pre.id, pre.status)
        for ref in then.reference_projects:
            entry = run.references.setdefault(ref.id, {"resemblance": [], "rules": []})
            entry["resemblance"].append(ref.resemblance)
            entry["rules"].append(rule_id)
        if then.reference_projects:
            step["concluded"]["reference_projects"] = [r.id for r in then.reference_projects]

    def _fire_precondition(self, rule_id, pre_id, status):
        run = self.run_record
        key = (rule_id, pre_id)
        if key in run.done:
            return
        run.done.add(key)
        entry = run.preconditions.setdefault(pre_id, {"status": status, "rules": []})
        if STATUS_WEIGHT[status] > STATUS_WEIGHT[entry["status"]]:
            entry["status"] = status
        entry["rules"].append(rule_id)
        run.step_of[rule_id]["concluded"].setdefault("preconditions", {})[pre_id] = status

    def _fire_resolve(self, dim):
        run = self.run_record
        candidates = run.candidates[dim]
        top = max(c[0] for c in candidates)
        at_top = sorted(c for c in candidates if c[0] == top)
        winner = at_top[0]
        values = {}
        for _, _, rule_id, value in at_top:
            values.setdefault(str(value), []).append(rule_id)
        if len(values) > 1:
            run.conflicts.append(Conflict(dimension=dim, priority=top, values=values))
        run.decided[dim], run.decided_by[dim] = winner[3], winner[2]
        # Lower-priority proposals are superseded even when they agree: the decision
        # (and any assumption a fallback made) rests on the top-priority rule.
        for priority, _, rule_id, value in candidates:
            if priority != top or value != winner[3]:
                run.step_of[rule_id]["overruled_by"][dim] = winner[2]
        self.declare(Decided(dimension=dim, value=winner[3]))


@lru_cache(maxsize=1)
def compiled():
    """The knowledge base, its layering, which groups each rule can apply to, and the
    open-question index, once per process."""
    kb = knowledge_base()
    scope = _scopes(kb)
    return kb, layering(kb), scope, _readers(kb, scope)


@lru_cache(maxsize=None)
def group_engine_class(group):
    """An engine class with only the rules that can apply to one target group.

    A consultation is always for one group; leaving the other groups' rules out of
    the Rete network makes it several times faster for the smaller groups and
    cheaper to build. The full base's layering keeps bands and firing order the
    same as in an engine with every rule (a test checks the designs are identical)."""
    kb, layers, scope, _ = compiled()
    subset = KnowledgeBase([r for r in kb.rules if group in scope[r.id]], kb.items, kb.files)
    engine_class, _ = compile_engine(subset, engine_base=RecordingEngine, layers=layers)
    engine_class.kb = kb
    return engine_class


def _scopes(kb):
    """Which target groups each rule can apply to (from target_group tests and the dimensions it reads)."""
    groups = frozenset(vocabulary().fields["target_group"]["values"])
    own = {}
    for rule in kb.rules:
        scope = set(groups)
        for test in rule.conditions.tests:
            if test.field == "target_group":
                scope &= {test.value} if test.op == "eq" else set(test.value if test.op == "in" else
                                                                   groups - set(test.value))
        own[rule.id] = scope
    scope = dict(own)
    for _ in range(len(SINGLE) + 2):
        dim_scope = {d: set() for d in SINGLE}
        for rule in kb.rules:
            for dim in rule.spec.then.singles():
                dim_scope[dim] |= scope[rule.id]
        for rule in kb.rules:
            for field in rule.reads():
                if field in CONDITION_DIMENSIONS:
                    scope[rule.id] = scope[rule.id] & dim_scope[field]
    return scope


@dataclass(frozen=True)
class _RuleView:
    """What the open-question analysis needs of a rule, computed once."""
    id: str
    conditions: object
    condition_fields: frozenset
    reads: frozenset
    parts: tuple            # design parts it concludes
    derived: tuple          # condition dimensions it concludes
    singles: tuple          # single-valued dimensions it concludes
    priority: int


def _readers(kb, scope):
    """Rule views by id, and per target group: field or dimension -> the rules of that
    group that read it."""
    views = {r.id: _RuleView(r.id, r.conditions, frozenset(r.conditions.fields()), frozenset(r.reads()),
                             tuple(dict.fromkeys(DESIGN_PART[d] for d in r.concludes())),
                             tuple(d for d in r.concludes() if d in CONDITION_DIMENSIONS),
                             tuple(r.spec.then.singles()), r.spec.priority or 0)
             for r in kb.rules}
    readers = {}
    for rule in kb.rules:
        for group in scope[rule.id]:
            for field in rule.reads():
                readers.setdefault(group, {}).setdefault(field, []).append(views[rule.id])
    return views, readers


def _holds(test, value):
    """Whether a known value passes one test (the same semantics as the compiled patterns)."""
    if test.op in ("known", "unknown"):
        return test.op == "known"
    if test.op == "eq":
        return value == test.value
    if test.op == "in":
        return value in test.value
    if test.op == "not_in":
        return value not in test.value
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return {"gte": value >= test.value, "gt": value > test.value,
            "lte": value <= test.value, "lt": value < test.value}[test.op]


def _possible(conditions, known, free):
    """False when what is known rules these conditions out, whatever the `free` fields
    (the unknown field asked about, and the dimensions it could change) turn out to be.
    Other unknown fields stay unknown. `unless` is ignored: it can only block."""
    for test in conditions.tests:
        if test.field in free:
            continue
        if test.field in known:
            if not _holds(test, known[test.field]):
                return False
        elif test.op != "unknown":
            return False
    return not conditions.any_of or any(_possible(alt, known, free) for alt in conditions.any_of)


def _could_change(views, readers, known, winners, field):
    """The design parts a value for this unknown field could change: follow the rules
    that read it and could still fire, then the rules reading what those decide. A rule
    below the priority of a single-valued dimension's current winner cannot change it
    while that winner's own conditions stay as they are."""
    parts, free, seen, todo = set(), {field}, set(), [field]
    while todo:
        current = todo.pop()
        for rule in readers.get(current, ()):
            if rule.id in seen or not _possible(rule.conditions, known, free):
                continue
            seen.add(rule.id)
            if free.isdisjoint(rule.condition_fields):
                parts.add(DESIGN_PART["preconditions"])     # read only in met_when: a status
                continue
            blocked = {DESIGN_PART[d] for d in rule.singles
                       if (w := views.get(winners.get(d))) and rule.priority < w.priority
                       and free.isdisjoint(w.reads)}
            if blocked and not set(rule.parts) - blocked:
                continue
            parts.update(rule.parts)
            for dim in rule.derived:
                if dim not in free:
                    free.add(dim)
                    todo.append(dim)
    return [p for p in PART_ORDER if p in parts]


class Advisor:
    """Warm engines, one per target group, built on first use; `consult` resets the
    group's engine and runs a situation. Use from one thread.

    With ``freeze_heap`` (the default) the objects alive once the engine is built
    are moved out of the cyclic garbage collector's view (``gc.freeze()``). The
    Rete network is large and lives as long as the process; without this every
    full collection rescans it, which shows as 40-80 ms spikes in consultation
    latency. Pass ``freeze_heap=False`` to leave the host's collector untouched.
    """

    def __init__(self, freeze_heap=True):
        self.kb, self.layers, _, self.readers = compiled()
        self.freeze_heap = freeze_heap
        self.engines = {}               # target group -> warm engine, built on first use

    def engine(self, group):
        engine = self.engines.get(group)
        if engine is None:
            engine = self.engines[group] = group_engine_class(group)()
            if self.freeze_heap:
                gc.freeze()
        return engine

    def consult(self, situation, lang="nl", declaration_order=None):
        if lang not in ("nl", "en"):
            raise ValueError("lang must be 'nl' or 'en'")
        situation = parse_situation(situation)
        engine = self.engine(situation.target_group)
        run = engine.evaluate(known_facts(situation), declaration_order=declaration_order)
        return assemble(self.kb, self.readers, situation.target_group, run, lang)


_local = threading.local()


def consult(situation, lang="nl"):
    """Consult with this thread's Advisor (created on first use)."""
    advisor = getattr(_local, "advisor", None)
    if advisor is None:
        advisor = _local.advisor = Advisor()
    return advisor.consult(situation, lang)


# --- assembling the design ---------------------------------------------------------

def _winning_rules(run, dim):
    value = run.decided.get(dim)
    top = max((c[0] for c in run.candidates.get(dim, [])), default=None)
    return [c[2] for c in sorted(run.candidates.get(dim, [])) if c[0] == top and c[3] == value]


def assemble(kb, readers, group, run, lang):
    voc = vocabulary()
    decided = run.decided

    def label(dim, value):
        return kb.label(dim, value, lang) if value is not None else None

    channels = sorted(run.channels.items(), key=lambda kv: (-kv[1]["weight"], kv[0]))
    lead = decided.get("lead_time")
    undecided = [d for d, spec in voc.dimensions.items()
                 if spec["kind"] == "single" and group in spec.get("applies_to", []) and d not in decided]
    trace = []
    for number, step in enumerate(run.steps, start=1):
        rule = kb.by_id[step["rule"]]
        singles = rule.spec.then.singles()
        status = "overruled" if singles and len(step["overruled_by"]) == len(singles) else "fired"
        trace.append(TraceStep(step=number, rule=step["rule"], status=status, matched=step["matched"],
                               derived_from=step["derived_from"], concluded=step["concluded"],
                               because=rule.spec.because.get(lang), sources=rule.spec.sources,
                               overruled_by=step["overruled_by"]))
    # An assumption stands in for unknown facts: a fallback that decided a dimension, or a
    # rule that read an unknown fact. A rule that read only known facts (e.g. `unless:
    # {multiple_funders: false}` with multiple_funders given) assumed nothing.
    assumptions = [Assumption(text=kb.by_id[s.rule].spec.assumes.get(lang), rules=[s.rule])
                   for s in trace if kb.by_id[s.rule].spec.assumes and s.status != "overruled"
                   and (kb.by_id[s.rule].spec.then.singles() or "unknown" in s.matched.values())]
    questions = []
    known = {**run.facts, **run.decided}
    views, by_group = readers
    group_readers = by_group.get(group, {})
    for field, spec in voc.fields.items():
        if field in run.facts or field == "target_group":
            continue
        parts = _could_change(views, group_readers, known, run.decided_by, field)
        if parts:
            questions.append(OpenQuestion(field=field, question=spec["question"][lang], could_change=parts))
    # the questions whose answer could change most of the design first (stable: vocabulary order)
    questions.sort(key=lambda q: -len(q.could_change))
    risks = kb.items["risks"]
    return Design(
        lang=lang, target_group=group,
        participation_level=decided.get("category"), level=decided.get("level"),
        recruitment=[Channel(channel=c, rank=i, label=label("recruitment", c), weight=e["weight"],
                             rules=e["rules"]) for i, (c, e) in enumerate(channels, start=1)],
        childcare=Childcare(approach=decided.get("childcare"), label=label("childcare", decided.get("childcare")),
                            rules=_winning_rules(run, "childcare")),
        result_agreements=ResultAgreements(type=decided.get("result_agreements"),
                                           label=label("result_agreements", decided.get("result_agreements")),
                                           rules=_winning_rules(run, "result_agreements")),
        lead_time=LeadTime(min_months=lead[0] if lead else None,
                           recommended_months=lead[1] if lead else None,
                           rules=_winning_rules(run, "lead_time")),
        execution=Execution(approach=decided.get("execution_approach"),
                            approach_label=label("execution_approach", decided.get("execution_approach")),
                            scale=decided.get("scale"), scale_label=label("scale", decided.get("scale")),
                            rules=_winning_rules(run, "execution_approach") + _winning_rules(run, "scale")),
        director_role=[Item(id=i, text=kb.label("director_role", i, lang), rules=r)
                       for i, r in run.items["director_role"].items()],
        preconditions=[Precondition(id=i, status=e["status"], text=kb.label("preconditions", i, lang),
                                    rules=e["rules"])
                       # what is not met first, then unknown, then in place; within each, the
                       # generic annex III checklist (rules/good_practice.yaml) after the design's own
                       for i, e in sorted(run.preconditions.items(),
                                          key=lambda kv: (-STATUS_WEIGHT[kv[1]["status"]],
                                                          all(kb.by_id[r].file == CHECKLIST_FILE
                                                              for r in kv[1]["rules"])))],
        risks=[Risk(id=i, text=risks[i].text.get(lang), mitigation=risks[i].mitigation.get(lang), rules=r)
               for i, r in run.items["risks"].items()],
        reference_projects=list(run.references),
        reference_details=[Reference(id=i, title=voc.source_title(i, lang),
                                     resemblance=list(dict.fromkeys(t.get(lang) for t in e["resemblance"])),
                                     rules=e["rules"]) for i, e in run.references.items()],
        undecided=undecided, assumptions=assumptions, open_questions=questions,
        conflicts=run.conflicts, trace=trace)
