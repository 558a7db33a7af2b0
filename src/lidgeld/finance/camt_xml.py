"""The XML layer of reading a CAMT.053 bank statement: the file's bytes parsed without
DTDs, entities or network into a ``Document`` of one ``camt.053.001.NN`` namespace that
holds no element of another namespace outside supplementary data (such an element would
be skipped without a word), or refused with what is wrong and where. ``Reader`` finds
elements in that namespace for :mod:`lidgeld.finance.camt`, which reads the statement's
content; ``_refuse`` and ``_line``, how every refusal is worded and located, are shared
with that module alone."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from lidgeld.errors import InvalidInput

MAX_FILE_BYTES = 50 * 1024 * 1024
_ENVELOPE = "Envlp"  # SplmtryData/Envlp: the one place the schema allows any namespace
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_OTHER_CAMT = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3})\.\d{3}\.\d{2}")
_ANY_CAMT = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3}\.\d{3}\.\d{2})")


class Reader:
    """Finds elements in the statement's namespace and says where a problem is."""

    def __init__(self, namespace: str) -> None:
        self.ns = {"c": namespace}

    def _path(self, path: str) -> str:
        return "/".join(f"c:{part}" for part in path.split("/"))

    def find(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self._path(path), self.ns)

    def findall(self, element: etree._Element, path: str) -> list[etree._Element]:
        return list(element.iterfind(self._path(path), self.ns))

    def text(self, element: etree._Element, path: str) -> str:
        found = self.find(element, path)
        if found is None or found.text is None:
            return ""
        return " ".join(found.text.split())

    def first_text(self, element: etree._Element, *paths: str) -> str:
        for path in paths:
            value = self.text(element, path)
            if value:
                return value
        return ""


def _refuse(where: str, problem: str) -> InvalidInput:
    return InvalidInput(f"the bank statement is refused, nothing was imported: {where}: {problem}")


def _line(element: etree._Element) -> int:
    line: Any = element.sourceline  # lxml-stubs leave it untyped
    return int(line or 0)


def _mentions_dtd(data: bytes) -> bool:
    head = data[:65536]
    return any(
        marker.encode(encoding) in head
        for marker in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    )


def _parse_xml(data: bytes) -> etree._Element:
    if not data.strip():
        raise _refuse("the file", "it is empty")
    if len(data) > MAX_FILE_BYTES:
        raise _refuse("the file", f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if _mentions_dtd(data):
            raise _refuse(
                "the file", "it declares a DTD or entities (<!DOCTYPE>), which a bank never sends"
            ) from None
        where = f"line {error.lineno}" if error.lineno else "the file"
        raise _refuse(where, f"this is not well-formed XML ({error.msg})") from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack doctype and internalDTD
    if docinfo.doctype or docinfo.internalDTD is not None or _mentions_dtd(data):
        raise _refuse(
            "the file", "it declares a DTD or entities (<!DOCTYPE>), which a bank never sends"
        )
    return root


def _namespace_of(root: etree._Element) -> str:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if qname.localname == "Document" and _NAMESPACE.fullmatch(namespace):
        return namespace
    other = _OTHER_CAMT.fullmatch(namespace)
    if other and other.group(1) != "camt.053":
        hint = f"this is a {other.group(1)} message, not a camt.053 statement"
    elif qname.localname != "Document":
        hint = f"the root element is <{qname.localname}>, not <Document>"
    else:
        hint = f"the namespace is '{namespace or 'none'}'"
    raise _refuse(
        f"line {_line(root)}",
        f"this is not a CAMT.053 bank statement ({hint}); "
        "expected <Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN'>",
    )


def _refuse_other_namespaces(root: etree._Element, namespace: str) -> None:
    """An element in another namespace than the document's would be skipped without a
    word (an entry of camt.053.001.08 in a 001.02 file): refuse the file instead. Only
    supplementary data (``SplmtryData/Envlp``) may hold other namespaces."""
    own = f"{{{namespace}}}"
    envelope = f"{own}{_ENVELOPE}"
    for element in root.iter(etree.Element):
        if element.tag.startswith(own):  # the common case, without building a QName
            continue
        if any(ancestor.tag == envelope for ancestor in element.iterancestors()):
            continue
        qname = etree.QName(element)
        document = _NAMESPACE.fullmatch(namespace)
        other = _ANY_CAMT.fullmatch(qname.namespace or "")
        if other and document:
            problem = (
                f"<{qname.localname}> is in {other.group(1)} but the document is "
                f"camt.053.001.{document.group(1)}, so it would not be read; ask the bank "
                "for the statement in one version"
            )
        else:
            problem = (
                f"<{qname.localname}> is in the namespace '{qname.namespace or 'none'}', "
                f"not the document's '{namespace}', so it would not be read"
            )
        raise _refuse(f"line {_line(element)}", problem)


def read_document(data: bytes) -> tuple[etree._Element, str, str]:
    """The root element of a CAMT.053 file, its namespace and its version
    (``camt.053.001.NN``). InvalidInput, naming what is wrong and where, for a file that
    is not XML, declares a DTD, is another message or holds elements of another
    namespace."""
    root = _parse_xml(data)
    namespace = _namespace_of(root)
    _refuse_other_namespaces(root, namespace)
    match = _NAMESPACE.fullmatch(namespace)
    assert match is not None  # _namespace_of checked it
    return root, namespace, f"camt.053.001.{match.group(1)}"
