"""Bad input never crashes: exit 2 with file, line, field and allowed values."""
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from expert.vocabulary import vocabulary


def run(tmp_path, text, *args, name="situation.yaml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    # these tests read the English messages; tests/test_messages.py checks the Dutch ones
    result = CliRunner().invoke(main, ["consult", str(path), "--lang", "en", *args])
    return result, str(path)


def assert_clear(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_not_yaml(tmp_path):
    result, path = run(tmp_path, "target_group: [women\n")
    assert_clear(result, path, "not valid YAML")


def test_not_a_mapping(tmp_path):
    result, path = run(tmp_path, "- women\n- youth\n")
    assert_clear(result, path, "must be a mapping")


def test_empty_file(tmp_path):
    result, path = run(tmp_path, "  \n")
    assert_clear(result, path, "empty")


def test_unknown_field_suggests_nearest(tmp_path):
    result, path = run(tmp_path, "target_group: women\nfunding_yeras: 3\n")
    assert_clear(result, f"{path}:2", "funding_yeras", "did you mean 'funding_years'")


def test_wrong_type(tmp_path):
    result, path = run(tmp_path, "target_group: women\nyoung_children: 'yes'\n")
    assert_clear(result, f"{path}:2", "young_children", "true or false")


def test_unknown_enum_value_lists_allowed(tmp_path):
    result, path = run(tmp_path, "target_group: men\n")
    assert_clear(result, f"{path}:1", "target_group", "allowed: women, youth, newcomers, return")


def test_int_out_of_range(tmp_path):
    result, path = run(tmp_path, "target_group: women\nfunding_years: 11\n")
    assert_clear(result, f"{path}:2", "funding_years", "1 to 10")


def test_duplicate_key(tmp_path):
    result, path = run(tmp_path, "target_group: women\ntarget_group: youth\n")
    assert_clear(result, f"{path}:2", "duplicate key")


def test_python_tag_is_refused_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = f"target_group: !!python/object/apply:os.system ['touch {marker}']\n"
    result, path = run(tmp_path, text)
    assert_clear(result, path, "not allowed")
    assert not marker.exists()


def test_file_over_one_megabyte(tmp_path):
    result, path = run(tmp_path, "target_group: women\n" + "#" * 1_100_000 + "\n")
    assert_clear(result, path, "larger than 1 MB")


def test_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["consult", str(tmp_path / "nope.yaml"), "--lang", "en"])
    assert_clear(result, "nope.yaml", "not found")


def test_missing_target_group(tmp_path):
    result, path = run(tmp_path, "funding_years: 3\n")
    assert_clear(result, path, "target_group", "required")


def test_bad_set_value(tmp_path):
    result, path = run(tmp_path, "target_group: women\n", "--set", "interpreters=some")
    assert_clear(result, "interpreters", "allowed: none, informal, professional")
    assert "--set: field 'interpreters'" in result.output      # blamed on --set, not on the file


def test_not_utf8(tmp_path):
    result, path = run(tmp_path, b"target_group: \xff\xfe\n")
    assert_clear(result, path, "UTF-8")


def test_failed_output_leaves_no_file(tmp_path):
    target = tmp_path / "advice.txt"
    path = tmp_path / "s.yaml"
    path.write_text("target_group: men\n")
    result = CliRunner().invoke(main, ["consult", str(path), "--output", str(target)])
    assert result.exit_code == 2
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [path]


def test_output_into_a_missing_folder_is_a_clear_error(tmp_path):
    target = tmp_path / "no-such-folder" / "advice.txt"
    result, _ = run(tmp_path, "target_group: women\n", "--output", str(target))
    assert_clear(result, f"{target}: field '--output': cannot write the advice")
    assert not target.parent.exists()


def test_output_replaces_an_existing_file_whole(tmp_path):
    target = tmp_path / "advice.txt"
    target.write_text("old advice\n")
    result, _ = run(tmp_path, "target_group: youth\n", "--output", str(target))
    assert result.exit_code == 0 and result.output == ""
    assert target.read_text(encoding="utf-8").startswith("Aanpakwijzer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["advice.txt", "situation.yaml"]


@pytest.mark.parametrize("text,field", [("target_group: women\nparticipation_level: 2\n", "participation_level"),
                                        ("target_group: women\nfunding_years: true\n", "funding_years")])
def test_type_confusions(tmp_path, text, field):
    result, path = run(tmp_path, text)
    assert_clear(result, path, field)


_ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 20) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["women", "youth", "low", "none", "professional"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(st.sampled_from(sorted(vocabulary().fields)) | st.text(max_size=6),
                                _ANY_VALUE, max_size=6))
def test_any_mapping_gets_advice_or_a_clear_error_never_a_traceback(tmp_path, document):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["consult", str(path), "--format", "json"])
    assert result.exit_code in (0, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        assert str(path) in result.output and "Traceback" not in result.output
