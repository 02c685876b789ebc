import pytest

from apiscan.sources.document import DocumentError, parse_text


def test_yaml_12_scalars_stay_json_like():
    d = parse_text("a: on\nb: 2024-01-01\nc: 0777\nd: yes\ne: ~\nf: 1.5\ng: true\n200: ok\n", "x.yaml")
    assert d.data == {"a": "on", "b": "2024-01-01", "c": 777, "d": "yes", "e": None, "f": 1.5, "g": True, "200": "ok"}


def test_bom_is_accepted(tmp_path):
    from apiscan.sources.document import load_document

    p = tmp_path / "x.json"
    p.write_bytes(b"\xef\xbb\xbf" + b'{"openapi": "3.0.0"}')
    assert load_document(p).data == {"openapi": "3.0.0"}


@pytest.mark.parametrize("text,file,line,col,words", [
    ("a: 1\nb: 2\na: 3\n", "x.yaml", 3, 1, "duplicate key 'a'"),
    ("a:\n\t- b\n", "x.yaml", 2, 1, "tab character"),
    ("a: [1,\n", "x.yaml", 2, 1, "invalid YAML"),
    ('{\n  "a": 1,\n  "a": 2\n}', "x.json", 3, 3, "duplicate key 'a'"),
    ('{\n  "a": 1,\n  "b": \n}', "x.json", 4, 1, "invalid JSON"),
])
def test_errors_carry_file_line_column(text, file, line, col, words):
    with pytest.raises(DocumentError) as info:
        parse_text(text, file)
    err = info.value
    assert words in err.message
    assert (err.line, err.column) == (line, col)
    assert str(err).startswith(f"{file}:{line}:{col}:")


def test_yaml_positions_point_at_keys_and_items():
    d = parse_text("a:\n  b:\n    - x\n    - y: 1\n", "x.yaml")
    sm = d.source_map
    assert sm.position(("a", "b")) == (2, 3)
    assert sm.position(("a", "b", 1, "y")) == (4, 7)
    assert sm.position(("a", "missing")) == (1, 1)  # closest existing node


def test_json_positions_by_guided_scan():
    text = '{\n  "a": {"b": [1, {"c": 2}]},\n  "d~/e": 3\n}'
    d = parse_text(text, "x.json")
    got = d.source_map.positions([("a", "b", 1, "c"), ("d~/e",), ("a", "zz")])
    assert got[("a", "b", 1, "c")] == (2, 19)
    assert got[("d~/e",)] == (3, 3)
    assert got[("a", "zz")] == (2, 3)


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(DocumentError):
        parse_text("[" * 5000, "deep.yaml")
    with pytest.raises(DocumentError):
        parse_text("[" * 5000, "deep.json")


def test_aliases_and_merge_keys():
    d = parse_text("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n", "x.yaml")
    assert d.data["c"] == {"y": 3, "x": 1}


def test_positions_on_minified_json_are_columns_of_line_one():
    text = '{"a":{"b":[1,{"c":2}]},"d":3,"e":{"f":4}}'
    d = parse_text(text, "x.json")
    got = d.source_map.positions([("a", "b", 1, "c"), ("d",), ("e", "f")])
    assert got == {("a", "b", 1, "c"): (1, 15), ("d",): (1, 24), ("e", "f"): (1, 35)}


@pytest.mark.parametrize("raw,line,col,words", [
    (b'{\n  "a": 1,\n  "a": 2\n}', 3, 3, "duplicate key 'a'"),
    (b'{\n  "a": 1,\n  "b": \n}', 4, 1, "invalid JSON"),
    (b'{\n  "a": "\xff"\n}', 2, None, "not UTF-8"),
    (b'\xef\xbb\xbf{\n  "k" : 1,\n  "k" : 2\n}', 3, 3, "duplicate key 'k'"),
])
def test_json_read_from_bytes_reports_like_text(tmp_path, raw, line, col, words):
    """load_document parses JSON straight from its bytes; errors still carry the line and column."""
    from apiscan.sources.document import load_document

    p = tmp_path / "x.json"
    p.write_bytes(raw)
    with pytest.raises(DocumentError) as info:
        load_document(p)
    assert words in info.value.message
    assert (info.value.line, info.value.column) == (line, col)


def test_json_from_bytes_decodes_text_only_when_asked(tmp_path):
    from apiscan.sources.document import load_document

    p = tmp_path / "x.json"
    p.write_bytes('{\n  "t": "é",\n  "a": {"b": [1, {"c": 2}]}\n}'.encode())
    d = load_document(p)
    assert d._text is None and d.size == len(p.read_bytes())
    assert d.source_map.positions([("a", "b", 1, "c")]) == {("a", "b", 1, "c"): (3, 19)}
    assert d.text.startswith('{\n  "t": "é"')


def test_json_positions_from_bytes_match_positions_from_text(tmp_path):
    """The byte view (UTF-8 read as Latin-1) must give the line and column (in characters) that
    the decoded text gives: non-ASCII keys written raw or escaped, non-ASCII before a key on its
    line, minified and pretty-printed layouts."""
    from apiscan.sources.document import load_document

    doc = {"naïve": {"ключ": [1, {"é\u00e9": "日本語 text", "x": {"deep": True}}]},
           "plain": {"k": "ünïcödé", "after": 2}, "\u2603 snow": [{"a": 1}, {"b": "☃"}]}
    paths = [("naïve",), ("naïve", "ключ"), ("naïve", "ключ", 1, "é\u00e9"), ("naïve", "ключ", 1, "x", "deep"),
             ("plain", "after"), ("\u2603 snow", 1, "b"), ("plain", "missing")]
    import json as _json

    layouts = {
        "pretty.json": _json.dumps(doc, ensure_ascii=False, indent=2).encode(),
        "escaped.json": _json.dumps(doc, indent=2).encode(),
        "minified.json": _json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(),
        "mixed.json": b'{"na\\u00efve": {"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87": [1, {"\xc3\xa9\\u00e9": 1, "x": {"deep": true}}]},'
                      b' "plain": {"k": "\xc3\xbc", "after": 2}, "\\u2603 snow": [{"a": 1}, {"b": 2}]}',
    }
    for name, raw in layouts.items():
        p = tmp_path / name
        p.write_bytes(raw)
        from_bytes = load_document(p)
        assert from_bytes._text is None
        from_text = parse_text(raw.decode("utf-8"), name)
        assert from_bytes.source_map.positions(paths) == from_text.source_map.positions(paths), name


def test_columns_on_a_minified_non_ascii_file_are_counted_once(tmp_path, monkeypatch):
    """One long line with non-ASCII text and many positions: each stretch of the line is turned
    back into characters once (counting each column from the line's start was quadratic: 7 s for a
    140 KB spec)."""
    import json as _json

    from apiscan.sources import document
    from apiscan.sources.document import load_document

    data = {f"k{i}": {"t": "é" * 50, "v": i} for i in range(400)}
    p = tmp_path / "min.json"
    raw = _json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    p.write_bytes(raw)
    seen = []
    original = document.JsonSourceMap._unicode
    monkeypatch.setattr(document.JsonSourceMap, "_unicode", lambda self, view: seen.append(len(view)) or original(self, view))
    doc = load_document(p)
    paths = [(f"k{i}", "v") for i in range(400)]
    got = doc.source_map.positions(paths)
    assert got == parse_text(raw.decode(), "min.json").source_map.positions(paths)
    assert sum(seen) <= 2 * len(raw)
