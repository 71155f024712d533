import re

from example_project.shop.demo import render_invoice_pdf


def test_pdf_header_and_trailer():
    pdf = render_invoice_pdf(["Invoice INV-1"])

    assert pdf.startswith(b"%PDF-1.4\n")
    assert pdf.endswith(b"%%EOF\n")


def test_pdf_xref_points_at_objects():
    pdf = render_invoice_pdf(["Invoice INV-1", "Billed to (someone)"])

    xref_at = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))
    assert pdf[xref_at:].startswith(b"xref\n")
    offsets = [int(entry) for entry in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)


def test_pdf_escapes_parentheses():
    pdf = render_invoice_pdf(["a (b) c"])

    assert b"(a \\(b\\) c) Tj" in pdf
