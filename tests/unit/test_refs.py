from pathlib import Path

import yaml

from apiscan.engine import DocumentEngine
from apiscan.jsonpath import compile_path
from apiscan.sources.openapi import load_api_document


def write(folder: Path, name: str, data) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def spec_with(paths):
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1.0.0"}, "paths": paths}


def test_multi_file_refs_resolve_relative_to_the_holding_file(tmp_path):
    write(tmp_path, "schemas/pet.yaml", {"Pet": {"type": "object", "properties": {"owner": {"$ref": "owner.yaml#/Owner"}}}})
    write(tmp_path, "schemas/owner.yaml", {"Owner": {"type": "object", "properties": {"name": {"type": "string"}}}})
    entry = write(tmp_path, "api.yaml", spec_with({"/pets": {"get": {"responses": {"200": {
        "description": "ok", "content": {"application/json": {"schema": {"$ref": "schemas/pet.yaml#/Pet"}}}}}}}}))
    doc = load_api_document(entry, tmp_path)
    engine = DocumentEngine(doc)
    nodes = engine.walker.select(compile_path("$..properties.name"))
    assert len(nodes) == 1
    assert nodes[0][1].endswith("owner.yaml") and nodes[0][2] == ("Owner", "properties", "name")
    assert not doc.resolver.problems


def test_circular_refs_do_not_loop(tmp_path):
    entry = write(tmp_path, "api.yaml", {**spec_with({}), "components": {"schemas": {
        "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}}})
    doc = load_api_document(entry, tmp_path)
    engine = DocumentEngine(doc)
    assert engine.walker.select(compile_path("$..type"))
    resolved = doc.resolver.deep_resolve(doc.data["components"]["schemas"]["Node"])
    assert resolved["properties"]["next"] == {"$ref": "#/components/schemas/Node"}  # the cycle is cut


def test_ref_leaving_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("Secret: {type: string}\n")
    root = tmp_path / "root"
    entry = write(root, "api.yaml", {**spec_with({}), "components": {"schemas": {"X": {"$ref": "../outside.yaml#/Secret"}}}})
    doc = load_api_document(entry, root)
    DocumentEngine(doc).walker.containers(DocumentEngine(doc).walker.root)
    messages = [p.message for p in doc.resolver.problems.values()]
    assert any("leaves the input root" in m for m in messages)
    assert doc.resolver.docs.get(str(outside.resolve())) is None


def test_remote_refs_need_permission(tmp_path):
    entry = write(tmp_path, "api.yaml", {**spec_with({}), "components": {"schemas": {"X": {"$ref": "https://example.invalid/s.yaml#/X"}}}})
    doc = load_api_document(entry, tmp_path)
    engine = DocumentEngine(doc)
    engine.walker.containers(engine.walker.root)
    assert any("--allow-remote-refs" in p.message for p in doc.resolver.problems.values())


def test_missing_target_is_reported(tmp_path):
    entry = write(tmp_path, "api.yaml", {**spec_with({}), "components": {"schemas": {"X": {"$ref": "#/components/schemas/Nope"}}}})
    doc = load_api_document(entry, tmp_path)
    engine = DocumentEngine(doc)
    engine.walker.containers(engine.walker.root)
    assert any("points to nothing" in p.message for p in doc.resolver.problems.values())


def test_a_chain_of_refs_that_loops_is_reported(tmp_path):
    entry = write(tmp_path, "api.yaml", {**spec_with({}), "components": {"schemas": {
        "A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}})
    doc = load_api_document(entry, tmp_path)
    engine = DocumentEngine(doc)
    engine.walker.containers(engine.walker.root)
    assert any("circular chain" in p.message for p in doc.resolver.problems.values())
