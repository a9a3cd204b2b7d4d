"""The parsed-rules cache speeds up a cold start and never changes what is loaded."""
import shutil

import pytest

from expert import kbcache
from expert.errors import InputErrors
from expert.knowledge import load_knowledge
from expert.paths import RULES_DIR


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
