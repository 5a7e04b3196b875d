"""REFI-QDA exports on the real corpus: schema-valid, stable, and read back to the same codes."""

from __future__ import annotations

import io
import uuid
import zipfile
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from jupyter_coding.cli import main
from jupyter_coding.common.files import find_field_notes
from jupyter_coding.fieldnotes import parse, read, read_text
from jupyter_coding.fieldnotes.reading import coding_traces
from jupyter_coding.interop.refi_qda import (
    GUID_NAMESPACE,
    code_guid,
    export_project,
    exported_codes,
    write_qdc,
    write_qdpx,
)
from jupyter_coding.interop.refi_qda_import import compare_codebook, read_codebook, read_project
from jupyter_coding.study.codebook import Codebook

from .conftest import CORPUS, EXAMPLES, SEED, SHARED, corpus_files

SCHEMAS = SHARED / "refi-qda"
NS = {"c": "urn:QDA-XML:codebook:1.0", "p": "urn:QDA-XML:project:1.0"}


def schema(name: str) -> etree.XMLSchema:
    path = SCHEMAS / name
    assert path.is_file(), f"the REFI-QDA schema is missing: {path}"
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(xsd: etree.XMLSchema, data: bytes) -> None:
    document = etree.fromstring(data)
    if not xsd.validate(document):
        raise AssertionError(str(xsd.error_log))


@pytest.fixture(scope="module")
def corpus_notes():
    return [read(path) for path in corpus_files()]


@pytest.fixture(scope="module")
def corpus_codebook(corpus_notes):
    return Codebook.from_notes(corpus_notes)


@pytest.fixture(scope="module")
def corpus_qdc(corpus_codebook) -> bytes:
    return write_qdc(corpus_codebook)


@pytest.fixture(scope="module")
def corpus_project(corpus_notes):
    return export_project(corpus_notes, user="Researcher A", name="data_as_a_product")


def by_name(project, name):
    return next(source for source in project.sources if source.name == name)


# -- codebook (.qdc) ------------------------------------------------------------


def test_corpus_codebook_is_schema_valid(corpus_qdc):
    assert_valid(schema("Codebook.xsd"), corpus_qdc)
    assert corpus_qdc.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns=')
    assert b"\r" not in corpus_qdc
    corpus_qdc.decode("utf-8")


def test_codebook_categories_are_the_metaclasses(corpus_qdc, corpus_codebook):
    root = ET.fromstring(corpus_qdc)
    top = root.findall("c:Codes/c:Code", NS)
    categories = [code for code in top if code.get("isCodable") == "false"]
    assert [c.get("name") for c in categories] == ["decision", "force", "pattern", "practice"]
    for category in categories:
        for code in category.findall("c:Code", NS):
            assert corpus_codebook[code.get("name")].metaclass == category.get("name")
    # codes used but never defined stay at the top level, codable
    loose = {code.get("name") for code in top if code.get("isCodable") == "true"}
    assert {"ci_cd_proces", "control_port", "trustworthy_decision"} <= loose
    assert not any(corpus_codebook[name].defined for name in loose)
    # memo-only mentions are not codes yet
    every = {code.get("name") for code in root.iter(f"{{{NS['c']}}}Code")}
    assert "life_cycle_management" not in every
    assert len(every) - 4 == len(exported_codes(corpus_codebook)) == 230


def test_codebook_code_carries_guid_label_metaclass_and_site(corpus_qdc):
    root = ET.fromstring(corpus_qdc)
    codes = {code.get("name"): code for code in root.iter(f"{{{NS['c']}}}Code")}
    quality = codes["quality"]
    assert quality.get("guid") == str(uuid.uuid5(GUID_NAMESPACE, "code\x1fquality"))
    assert quality.find("c:Description", NS).text == (
        "Label: Data Quality\n"  # the codebook's label: its first definition in coding order
        "Identifier: quality\n"
        "Metaclass: force\n"
        'Defined at: s_6.md:164, s_31.md:62 (label "Quality")'
    )
    assert (
        codes["ci_cd_proces"]
        .find("c:Description", NS)
        .text.startswith(
            "Identifier: ci_cd_proces\nNot defined in the field notes; first used at s_6.md:264"
        )
    )


def test_codebook_export_is_byte_identical(corpus_notes, corpus_qdc):
    again = write_qdc(Codebook.from_notes(list(reversed(corpus_notes))))
    assert again == corpus_qdc


def test_codebook_reads_back(corpus_qdc, corpus_codebook):
    codes = read_codebook(corpus_qdc)
    codable = {code.name: code for code in codes if code.codable}
    assert set(codable) == {code.identifier for code in exported_codes(corpus_codebook)}
    assert codable["k8s"].guid == code_guid("k8s")
    assert codable["k8s"].category == corpus_codebook["k8s"].metaclass
    changes = compare_codebook(codes, corpus_codebook)
    assert not changes.changed and changes.codes == 230


# -- project (.qdpx) ------------------------------------------------------------


def test_corpus_project_is_schema_valid(corpus_project):
    archive = zipfile.ZipFile(io.BytesIO(corpus_project.data))
    names = archive.namelist()
    assert names[0] == "project.qde"
    assert all(name == "project.qde" or name.startswith("sources/") for name in names)
    assert len(names) == 1 + 68  # the template is not a source
    qde = archive.read("project.qde")
    assert_valid(schema("Project.xsd"), qde)
    for name in names:
        data = archive.read(name)
        assert b"\r" not in data
        data.decode("utf-8")  # strict


def test_every_coding_has_its_creating_user(corpus_project):
    qde = zipfile.ZipFile(io.BytesIO(corpus_project.data)).read("project.qde")
    root = ET.fromstring(qde)
    (user,) = root.findall("p:Users/p:User", NS)
    assert user.get("name") == "Researcher A"
    codings = list(root.iter(f"{{{NS['p']}}}Coding"))
    assert len(codings) == corpus_project.codings > 4000
    assert {coding.get("creatingUser") for coding in codings} == {user.get("guid")}
    assert root.get("creatingUserGUID") == user.get("guid")


def test_project_round_trip_same_codes_and_codings(corpus_notes, corpus_project):
    project = read_project(corpus_project.data)
    guid_to_name = {code.guid: code.name for code in project.codes}
    assert {c.name for c in project.codes if c.codable} == {
        c.identifier for c in exported_codes(Codebook.from_notes(corpus_notes))
    }
    assert len(project.sources) == 68
    expected_total = 0
    for notes in corpus_notes:
        if notes.is_template:
            continue
        source = by_name(project, notes.source_id)
        # the plain text is the quotes, in order, with blank lines between them
        assert source.text == "\n\n".join(q.plain_text for q in notes.quotes) + "\n"
        coded = {
            (start, end): sorted(guid_to_name[g] for g in codes)
            for start, end, codes, _, _ in source.selections
            if codes
        }
        # what the field notes say, worked out here from the traces
        spans, offset = {}, 0
        for quote in notes.quotes:
            spans[id(quote)] = (offset, offset + len(quote.plain_text))
            assert source.text[offset : offset + len(quote.plain_text)] == quote.plain_text
            offset += len(quote.plain_text) + 2
        expected: dict[tuple[int, int], list[str]] = {}
        for trace in coding_traces(notes):
            codes = trace.applies
            for quote in trace.quotes:
                if codes and quote.plain_text:
                    expected.setdefault(spans[id(quote)], []).extend(codes)
        expected = {span: sorted(set(codes)) for span, codes in expected.items()}
        assert coded == expected, notes.path
        expected_total += sum(len(codes) for codes in expected.values())
    assert sum(len(s[2]) for source in project.sources for s in source.selections) == (
        expected_total
    )


def test_project_codings_of_s43(corpus_project):
    project = read_project(corpus_project.data)
    names = {code.guid: code.name for code in project.codes}
    s43 = by_name(project, "s43")
    coded = {
        s43.text[start:end].split("\n")[0]: [names[g] for g in codes]
        for start, end, codes, _, _ in s43.selections
    }
    assert coded["Raw events"] == ["raw_data_as_data_product"]
    assert coded["Infrastructure"] == ["k8s", "infrastructure_as_code"]
    assert coded["Treating data as a product at Adevinta"] == [
        "single_subscription_separate_workspace_per_domain",
        "request_access",
        "unified_batch_stream",
    ]
    assert s43.variables == {
        "title": "Treating data as a product at Adevinta",
        "url": "https://medium.com/adevinta-tech-blog/treating-data-as-a-product-at-adevinta-c1dce5d394c5",
        "tiny url": "https://tinyurl.com/data-as-a-product-s43",
        "archive url": "https://bit.ly/data-as-a-product-s43",
        "source type": "Practitioner Audience Article",
        "author type": "Practitioner",
        "source code": "false",
        "example": "true",
    }


def test_interview_quotes_are_coded_with_reused_codes(corpus_project):
    project = read_project(corpus_project.data)
    names = {code.guid: code.name for code in project.codes}
    p1 = by_name(project, "p1")
    assert p1.selections, "the interviews attach codes by naming them in added: blocks"
    coded = [names[g] for _, _, codes, _, _ in p1.selections for g in codes]
    assert "raw_data_as_data_product" in coded and "sustainable_solution" in coded
    # speaker-only turns are text, not evidence
    speakers = {"Interviewer", "Expert B"}
    assert not any(p1.text[start:end] in speakers for start, end, *_ in p1.selections)
    # PDF leftovers (\x0c) stay in the plain text; the XML never carries them
    assert "\x0c" in p1.text
    qde = zipfile.ZipFile(io.BytesIO(corpus_project.data)).read("project.qde")
    assert b"\x0c" not in qde and b"\x0b" not in qde


def test_memos_are_notes_on_their_quotes(corpus_notes, corpus_project):
    project = read_project(corpus_project.data)
    s1_notes = next(n for n in corpus_notes if n.source_id == "s1")
    first_memo = s1_notes.open_traces[0].memo
    s1 = by_name(project, "s1")
    linked = [notes for *_, notes, _ in s1.selections if notes]
    assert project.notes[linked[0][0]] == first_memo
    # the run of quotes before that trace all carry the memo
    quotes = s1_notes.evidence(s1_notes.open_traces[0])
    assert sum(1 for notes in linked if notes == linked[0]) == len(quotes)
    # every NoteRef points at a note
    refs = {g for source in project.sources for *_, notes, _ in source.selections for g in notes}
    assert refs <= set(project.notes)
    memos = sum(1 for n in corpus_notes for t in n.open_traces if t.memo and not t.template)
    assert len(project.notes) == memos == corpus_project.memos


def test_relations_are_links_between_codes(corpus_project, corpus_codebook):
    project = read_project(corpus_project.data)
    names = {code.guid: code.name for code in project.codes}
    links = {(name, names[a], names[b]) for name, a, b in project.links}
    assert ("force: negative", "raw_data_as_data_product", "sustainable_solution") in links
    kinds = {name.split(":")[0] for name, *_ in links}
    assert kinds == {"force", "decision option", "decision link", "link"}
    distinct = {
        (r.kind, r.source_code, r.target_code, r.value) for r in corpus_codebook.relations()
    }
    assert len(project.links) == len(distinct)


def test_project_export_is_byte_identical(corpus_notes, corpus_project):
    again = write_qdpx(list(reversed(corpus_notes)), user="Researcher A", name="data_as_a_product")
    assert again == corpus_project.data


def test_seed_and_examples_export(seed_path):
    for notes in ([read(seed_path)], [read(p) for p in find_field_notes([EXAMPLES])]):
        data = write_qdpx(notes)
        qde = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
        assert_valid(schema("Project.xsd"), qde)
        assert_valid(schema("Codebook.xsd"), write_qdc(Codebook.from_notes(notes)))


def test_two_files_of_one_source_are_two_sources(corpus_notes):
    # the seed is an older copy of s_43.md: both claim s43, and each stays a source of its own
    project = export_project([*corpus_notes, read(SEED)], user="Researcher A")
    qde = zipfile.ZipFile(io.BytesIO(project.data)).read("project.qde")
    assert_valid(schema("Project.xsd"), qde)
    names = [node.get("name") for node in ET.fromstring(qde).iterfind(".//p:TextSource", NS)]
    assert project.sources == 69
    assert names.count("s43") == 1 and names.count("s43~2") == 1


def test_a_source_without_quotes_has_a_text(tmp_path):
    notes = parse(read_text(EXAMPLES / "s_1.md").split("# coding")[0] + "# coding\n", "s_1.md")
    archive = zipfile.ZipFile(io.BytesIO(write_qdpx([notes])))
    assert_valid(schema("Project.xsd"), archive.read("project.qde"))
    (text_name,) = [name for name in archive.namelist() if name.startswith("sources/")]
    assert archive.read(text_name).decode("utf-8").strip()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(
                st.characters(
                    blacklist_categories=("Cs",),
                    blacklist_characters="\n\r>`*#![]",
                ),
                min_size=1,
                max_size=30,
            ).filter(lambda line: line.strip() and line == line.strip()),
            min_size=1,
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_offsets_point_at_the_quotes(paragraphs):
    """Whatever the quote text (emoji, control characters, combining marks), the offsets hold."""
    body = []
    for number, lines in enumerate(paragraphs):
        body.append("> " + "\n".join(lines) + "\n\n")
        body.append(
            "**OPEN CODING TRACE:**\n\nmemo\n\n**AXIAL CODING TRACE:**\n\n"
            f"add codes to s1: \n``` python \n    '''\n        code_{number}\n    '''\n```\n\n"
        )
    notes = parse("# s \n1\n# coding\n\n" + "".join(body), "s_1.md")
    quotes = [q for q in notes.quotes if q.plain_text and not q.is_speaker_only]
    project = read_project(write_qdpx([notes]))
    (source,) = project.sources
    names = {code.guid: code.name for code in project.codes}
    coded = [(source.text[s:e], [names[g] for g in c]) for s, e, c, _, _ in source.selections]
    assert [text for text, _ in coded] == [q.plain_text for q in quotes]
    assert all(len(codes) == 1 for _, codes in coded)


# -- import qdc -----------------------------------------------------------------


def edited_codebook(qdc: bytes) -> bytes:
    """The corpus codebook as a co-author might send it back from another tool."""
    ET.register_namespace("", NS["c"])
    root = ET.fromstring(qdc)
    codes = {code.get("name"): code for code in root.iter(f"{{{NS['c']}}}Code")}
    parents = {child: parent for parent in root.iter() for child in parent}
    codes["k8s"].set("name", "kubernetes")  # renamed, same GUID
    codes["ci_cd_proces"].set("name", "ci_cd_process")  # renamed onto an existing code
    parents[codes["data_marts"]].remove(codes["data_marts"])  # gone
    codes["sql_layer"].set("guid", str(uuid.uuid4()))  # another tool's GUID, same name
    moved = codes["event_streaming"]
    parents[moved].remove(moved)
    codes["pattern"].append(moved)  # practice -> pattern
    new = ET.SubElement(codes["force"], f"{{{NS['c']}}}Code")
    new.attrib.update(guid=str(uuid.uuid4()), name="vendor_lock_in", isCodable="true")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def test_import_reports_new_renamed_gone(corpus_qdc, corpus_codebook):
    edited = edited_codebook(corpus_qdc)
    assert_valid(schema("Codebook.xsd"), edited)
    changes = compare_codebook(read_codebook(edited), corpus_codebook)
    assert changes.renamed == [("k8s", "kubernetes")]
    assert changes.merged == [("ci_cd_proces", "ci_cd_process")]
    assert changes.gone == ["data_marts"]
    assert [(c.name, c.category) for c in changes.new] == [("vendor_lock_in", "force")]
    assert changes.recategorised == [("event_streaming", "practice", "pattern")]
    assert corpus_codebook["event_streaming"].metaclass == "practice"


def test_import_command(tmp_path, capsys, corpus_qdc):
    same = tmp_path / "same.qdc"
    same.write_bytes(corpus_qdc)
    assert main(["import", "qdc", str(same), str(CORPUS)]) == 0
    assert capsys.readouterr().out == f"{same}: 230 codes, the same as in the field notes\n"
    edited = tmp_path / "edited.qdc"
    edited.write_bytes(edited_codebook(corpus_qdc))
    assert main(["import", "qdc", str(edited), str(CORPUS)]) == 1
    out = capsys.readouterr().out
    assert "renamed (1), apply with rename:\n  k8s -> kubernetes\n" in out
    assert "merged (1), apply with merge:\n  ci_cd_proces -> ci_cd_process\n" in out
    assert "new (1), not in the field notes yet:\n  vendor_lock_in (force)\n" in out
    assert "gone (1), in the field notes, not in the file:\n  data_marts\n" in out
    assert "moved (1)" in out and "event_streaming: practice -> pattern" in out
    assert main(["import", "qdc", str(edited), str(CORPUS), "--format", "json"]) == 1
    assert '"renamed": [\n    {\n      "identifier": "k8s"' in capsys.readouterr().out


def test_import_of_a_broken_file_is_one_line(tmp_path, capsys):
    broken = tmp_path / "broken.qdc"
    broken.write_bytes(b"<CodeBook><Codes>")
    assert main(["import", "qdc", str(broken), str(CORPUS)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"jupyter-coding import: {broken}:1: not a valid REFI-QDA codebook")
    assert err.count("\n") == 1


# -- the export command ---------------------------------------------------------


def test_export_commands_write_files(tmp_path, capsys):
    qdpx = tmp_path / "study.qdpx"
    assert main(["export", "qdpx", str(CORPUS), "-o", str(qdpx), "--user", "R"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {qdpx} (") and "68 sources, 230 codes" in out
    assert read_project(qdpx.read_bytes()).name == "data_as_a_product"
    qdc = tmp_path / "codebook.qdc"
    assert main(["export", "qdc", str(CORPUS), "-o", str(qdc)]) == 0
    assert_valid(schema("Codebook.xsd"), qdc.read_bytes())
    model = tmp_path / "sources_and_codes_model.py"
    assert main(["export", "codeable-models", str(CORPUS), "-o", str(model)]) == 0
    compile(model.read_text(encoding="utf-8"), str(model), "exec")
    capsys.readouterr()


def test_export_never_overwrites_field_notes(tmp_path, capsys):
    notes = tmp_path / "s_1.md"
    original = (EXAMPLES / "s_1.md").read_bytes()
    notes.write_bytes(original)
    assert main(["export", "qdc", str(tmp_path), "-o", str(notes)]) == 1
    assert "will not write an export over a field-notes" in capsys.readouterr().err
    assert notes.read_bytes() == original


def test_import_matches_guids_in_any_spelling_and_ignores_flat_codebooks(corpus_codebook):
    """Tools write GUIDs in braces or upper case, and some drop the categories."""
    codes = "".join(
        f'<Code guid="{{{code_guid(code.identifier).upper()}}}" name="{code.identifier}" '
        'isCodable="true"/>'
        for code in exported_codes(corpus_codebook)
    )
    flat = f'<CodeBook xmlns="{NS["c"]}"><Codes>{codes}</Codes></CodeBook>'.encode()
    assert_valid(schema("Codebook.xsd"), flat)
    changes = compare_codebook(read_codebook(flat), corpus_codebook)
    assert not changes.changed, changes.as_dict()


def test_nothing_to_export_is_one_line(tmp_path, capsys):
    (tmp_path / "s_1.md").write_text("# s \n1\n# coding\n\n> a quote\n", encoding="utf-8")
    assert main(["export", "qdc", str(tmp_path), "-o", str(tmp_path / "c.qdc")]) == 1
    assert capsys.readouterr().err == (
        "jupyter-coding export: no codes to export: the field notes define or apply none\n"
    )
    # a project without codes yet is still a project (no codebook in it)
    assert main(["export", "qdpx", str(tmp_path), "-o", str(tmp_path / "p.qdpx")]) == 0
    qde = zipfile.ZipFile(tmp_path / "p.qdpx").read("project.qde")
    assert_valid(schema("Project.xsd"), qde)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["export", "qdpx", str(empty), "-o", str(tmp_path / "q.qdpx")]) == 1
    assert capsys.readouterr().err.endswith(f"{empty}: no field-notes files\n")
    # field notes that hold no source: only the template
    (empty / "s_.md").write_text("# s \n\n## url\n\n", encoding="utf-8")
    assert main(["export", "qdpx", str(empty), "-o", str(tmp_path / "q.qdpx")]) == 1
    assert "no sources to export" in capsys.readouterr().err
    assert not (tmp_path / "c.qdc").exists() and not (tmp_path / "q.qdpx").exists()
