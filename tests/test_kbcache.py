"""The knowledge-base caches speed up a cold start and never change what is loaded."""
import shutil

import pytest

from expert import kbcache
from expert.errors import InputErrors
from expert.knowledge import load_knowledge
from expert.paths import FACTS_DIR, RULES_DIR


def _summary(kb):
    return [(r.id, r.file, r.line, r.conditions, r.then, r.priority, r.met_when) for r in kb.rules]


def test_cached_load_equals_a_fresh_parse_and_a_corrupt_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("AANPAKWIJZER_CACHE", str(tmp_path / "cache"))
    first = load_knowledge(RULES_DIR)                      # parses the YAML, writes the cache
    files = list((tmp_path / "cache").glob("rules-*.json"))
    assert len(files) == 1
    assert _summary(load_knowledge(RULES_DIR)) == _summary(first)   # read from the cache
    files[0].write_text("{not json", encoding="utf-8")
    assert _summary(load_knowledge(RULES_DIR)) == _summary(first)   # corrupt: parsed again


def test_a_changed_rule_file_is_parsed_again_and_its_errors_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("AANPAKWIJZER_CACHE", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    load_knowledge(rules)
    target = rules / "youth.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("target_group: youth", "target_group: yuth", 1),
                      encoding="utf-8")
    with pytest.raises(InputErrors) as info:
        load_knowledge(rules)
    assert "youth.yaml" in str(info.value) and "unknown value 'yuth'" in str(info.value)


def test_cache_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("AANPAKWIJZER_CACHE", "off")
    assert kbcache.cache_dir() is None
    assert load_knowledge(RULES_DIR).rules


def _kb_summary(kb):
    return [(r.id, r.file, r.line, r.table, r.conditions, r.met_when, r.spec, r.spec.model_fields_set,
             r.spec.model_dump_json(), r.reads(), r.singles(), r.multi_concluded()) for r in kb.rules]


def test_the_validated_base_comes_back_equal_from_its_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AANPAKWIJZER_CACHE", str(tmp_path / "cache"))
    fresh = load_knowledge(RULES_DIR)
    assert len(list((tmp_path / "cache").glob("kb-*.json"))) == 1
    cached = load_knowledge(RULES_DIR)
    assert _kb_summary(cached) == _kb_summary(fresh)
    assert cached.items == fresh.items
    assert cached.files == fresh.files            # read when first asked for


def test_a_changed_vocabulary_file_invalidates_the_validated_base(tmp_path):
    facts = tmp_path / "facts"
    facts.mkdir()
    for path in FACTS_DIR.glob("*.yaml"):
        shutil.copy(path, facts / path.name)
    paths = sorted(RULES_DIR.glob("*.yaml"))
    before = kbcache.kb_key(paths, facts)
    (facts / "sources.yaml").write_text((facts / "sources.yaml").read_text(encoding="utf-8") + "\n",
                                        encoding="utf-8")
    assert kbcache.kb_key(paths, facts) != before


def test_old_cache_documents_are_pruned(tmp_path, monkeypatch):
    monkeypatch.setenv("AANPAKWIJZER_CACHE", str(tmp_path))
    for index in range(kbcache.KEEP + 5):
        kbcache.write_json(f"kb-{index:04d}.json", {"n": index})
    kept = sorted(p.name for p in tmp_path.glob("kb-*.json"))
    assert len(kept) == kbcache.KEEP
    assert f"kb-{kbcache.KEEP + 4:04d}.json" in kept        # the newest is kept
    assert not list(tmp_path.glob(".tmp-*"))
