"""Form values read the same way from a multipart/urlencoded form and from a plain dict."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict, UploadFile

from core.web.forms import form_id, form_page, form_value, form_values


def test_values_from_a_form_and_from_a_dict() -> None:
    form = FormMultiDict(
        [("navn", "  Kari "), ("valgt", "1:2"), ("valgt", " "), ("valgt", "3:4"), ("side", "2")]
    )
    plain = {"navn": "  Kari ", "valgt": ["1:2", " ", "3:4"], "side": "2"}
    for data in (form, plain):
        assert form_value(data, "navn") == "Kari"
        assert form_value(data, "mangler") == ""
        assert form_values(data, "valgt") == ["1:2", "3:4"]
        assert form_values(data, "mangler") == []
        assert form_page(data) == 2
        assert form_id(data, "navn") is None


def test_a_file_reads_as_empty_text() -> None:
    upload = UploadFile(content_type="text/plain", filename="a.txt")
    assert form_value({"fil": upload}, "fil") == ""
    assert form_values({"fil": [upload]}, "fil") == []


def test_ids_and_pages_use_the_one_id_rule() -> None:
    assert form_id({"enhet": "²"}, "enhet") is None
    assert form_id({"enhet": "0"}, "enhet") is None
    assert form_page({"side": "-3"}) is None
