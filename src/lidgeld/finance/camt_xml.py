"""The XML layer of reading a CAMT.053 bank statement: the file's bytes parsed without
DTDs, entities or network into a ``Document`` of one ``camt.053.001.NN`` namespace that
holds no element of another namespace outside supplementary data (such an element would
be skipped without a word), or refused with what is wrong and where. ``Reader`` finds
elements in that namespace for :mod:`lidgeld.finance.camt`, which reads the statement's
content; ``refuse``, ``said`` and ``line_of``, how every refusal is worded and located,
are shared with it. A refusal names where (``said(_("line %(line)s"), line=…)``) and
what; both parts are rendered in the reader's language."""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lxml import etree

from lidgeld.errors import InvalidInput, LidgeldError

MAX_FILE_BYTES = 50 * 1024 * 1024
_ENVELOPE = "Envlp"  # SplmtryData/Envlp: the one place the schema allows any namespace
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})")
_OTHER_CAMT = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3})\.\d{3}\.\d{2}")
_ANY_CAMT = re.compile(r"urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3}\.\d{3}\.\d{2})")
_DTD = _("it declares a DTD or entities (<!DOCTYPE>), which a bank never sends")


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


Phrase = LidgeldError | Promise | str
THE_FILE = _("the file")


def said(msgid: Promise, **params: object) -> LidgeldError:
    """A part of a refusal (where, what), filled in the language the refusal is read in."""
    return LidgeldError(msgid, code="phrase", params=params)


def refuse(where: Phrase, problem: Phrase) -> InvalidInput:
    return InvalidInput(
        _("the bank statement is refused, nothing was imported: %(where)s: %(problem)s"),
        code="statement_refused",
        params={"where": where, "problem": problem},
    )


def at_line(element: etree._Element) -> LidgeldError:
    return said(_("line %(line)s"), line=line_of(element))


def line_of(element: etree._Element) -> int:
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
        raise refuse(THE_FILE, _("it is empty"))
    if len(data) > MAX_FILE_BYTES:
        raise refuse(
            THE_FILE,
            said(
                _("it is larger than %(megabytes)s MB"), megabytes=MAX_FILE_BYTES // (1024 * 1024)
            ),
        )
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
            raise refuse(THE_FILE, _DTD) from None
        where = said(_("line %(line)s"), line=error.lineno) if error.lineno else THE_FILE
        # lxml's own reason, in English: no catalogue has it.
        raise refuse(
            where, said(_("this is not well-formed XML (%(problem)s)"), problem=error.msg)
        ) from None
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack doctype and internalDTD
    if docinfo.doctype or docinfo.internalDTD is not None or _mentions_dtd(data):
        raise refuse(THE_FILE, _DTD)
    return root


def _namespace_of(root: etree._Element) -> str:
    qname = etree.QName(root)
    namespace = qname.namespace or ""
    if qname.localname == "Document" and _NAMESPACE.fullmatch(namespace):
        return namespace
    other = _OTHER_CAMT.fullmatch(namespace)
    if other and other.group(1) != "camt.053":
        hint = said(
            _("this is a %(message)s message, not a camt.053 statement"), message=other.group(1)
        )
    elif qname.localname != "Document":
        hint = said(_("the root element is <%(element)s>, not <Document>"), element=qname.localname)
    else:
        hint = said(_("the namespace is '%(namespace)s'"), namespace=namespace or "none")
    raise refuse(
        at_line(root),
        said(
            _(
                "this is not a CAMT.053 bank statement (%(hint)s); expected "
                "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN'>"
            ),
            hint=hint,
        ),
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
            problem = said(
                _(
                    "<%(element)s> is in %(version)s but the document is "
                    "camt.053.001.%(document)s, so it would not be read; ask the bank for the "
                    "statement in one version"
                ),
                element=qname.localname,
                version=other.group(1),
                document=document.group(1),
            )
        else:
            problem = said(
                _(
                    "<%(element)s> is in the namespace '%(namespace)s', not the document's "
                    "'%(document)s', so it would not be read"
                ),
                element=qname.localname,
                namespace=qname.namespace or "none",
                document=namespace,
            )
        raise refuse(at_line(element), problem)


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
