# cython: language_level=3, boundscheck=False
"""The render walk over libxml2's nodes, compiled: :func:`boilerplate.html._walk`'s steps without a
Python object per node.

``html._walk`` visits the tree through lxml's ``iterwalk``, which makes a Python element for
every node, and reads each element's tag, attributes, text and tail through it. Here the same
steps run over libxml2's own structs, reached through lxml's public C API (the element's
``_c_node``): tag names and their classes are looked up once per distinct name, only the
attributes the walk reads (:data:`_READ`) become Python strings, and text becomes a string only
where it is read. The lines and cues are made by :class:`_State`, a typed copy of ``html``'s own
state (:class:`boilerplate.html._Lines`: its ``add_text``, ``flush`` and ``html._classid``, the same
steps in the same order, on ``html``'s helpers and constants, handed over by :func:`bind`): making
lines is per-line work, and as Python it took two thirds of the walk's time. ``html`` checks on a
sample page that this walk makes its Python walk's rows before it uses it, and falls back to the
Python walk when the extension is missing or fails the check; tests check the two agree on
generated and benchmark pages, so the Python walk and its state are the reference.
"""

cimport lxml.includes.etreepublic as cetree
from lxml.includes.tree cimport xmlAttr, xmlNode

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.string cimport strcmp, strlen

# html's helpers, tag sets and constants, given by bind(): html imports this module, never the reverse
cdef bint _bound = False
cdef object _is_hidden, _landmark, _link, _tokens, _cap, _join_classid, _kept_classid, _pre_rows
cdef object BLOCK_TAGS, DROP_TAGS, LANDMARK_TAGS, _PRE_TAGS
cdef Py_ssize_t PATH_COMPONENTS, CLASSID_ANCESTORS, CLASSID_CACHE_MAX_CHARS


def bind(html):
    """Take the walk's helpers, tag sets and constants from the ``boilerplate.html`` module
    ``html`` (read once: ``html`` binds before its first check)."""
    global _bound, _is_hidden, _landmark, _link, _tokens, _cap, _join_classid, _kept_classid, _pre_rows
    global BLOCK_TAGS, DROP_TAGS, LANDMARK_TAGS, _PRE_TAGS, PATH_COMPONENTS, CLASSID_ANCESTORS, CLASSID_CACHE_MAX_CHARS
    _is_hidden, _landmark, _link, _pre_rows = html._is_hidden, html._landmark, html._link, html._pre_rows
    _tokens, _cap, _join_classid, _kept_classid = html._tokens, html._cap, html._join_classid, html._kept_classid
    BLOCK_TAGS, DROP_TAGS, LANDMARK_TAGS, _PRE_TAGS = html.BLOCK_TAGS, html.DROP_TAGS, html.LANDMARK_TAGS, html._PRE_TAGS
    PATH_COMPONENTS, CLASSID_ANCESTORS = html.PATH_COMPONENTS, html.CLASSID_ANCESTORS
    CLASSID_CACHE_MAX_CHARS = html.CLASSID_CACHE_MAX_CHARS
    _bound = True

cetree.import_lxml__etree()

# libxml2's node types (tree.h) that the walk tells apart
cdef enum:
    ELEMENT_NODE = 1
    TEXT_NODE = 3
    CDATA_NODE = 4
    ENTITY_REF_NODE = 5
    PI_NODE = 7
    COMMENT_NODE = 8

# classes of a tag name, looked up once per distinct name and walk
cdef enum:
    DROP = 1
    BLOCK = 2
    PRE = 4
    LANDMARK = 8
    BR = 16
    LINK = 32

# what an element's attributes hold, besides their values (_read_attributes)
cdef enum:
    MAY_HIDE = 1  # hidden, aria-hidden or style: _is_hidden has something to read
    REGION = 2  # role or itemprop: a landmark cue

#: Distinct tag names a walk remembers by libxml2's name pointer (names are interned per document;
#: a page has a few dozen); past it, names are looked up in a dict.
cdef enum:
    TAG_SLOTS = 64


cdef inline str _utf8(const char* s):
    if s == NULL:
        return ""
    return PyUnicode_DecodeUTF8(s, strlen(s), NULL)


cdef inline bint _is_text(xmlNode* node):
    return node.type == TEXT_NODE or node.type == CDATA_NODE


cdef inline bint _is_element_like(xmlNode* node):
    # the nodes lxml's iterwalk gives events for (its _isElement)
    return (node.type == ELEMENT_NODE or node.type == COMMENT_NODE or node.type == PI_NODE
            or node.type == ENTITY_REF_NODE)


cdef inline bint _ascii_blank(const unsigned char* s):
    """All of ``s`` is ASCII whitespace as ``str.isspace`` sees it (tab to CR, 0x1C-0x1F, space)."""
    if s == NULL:
        return True
    while s[0]:
        if not (s[0] == 32 or 9 <= s[0] <= 13 or 28 <= s[0] <= 31):
            return False
        s += 1
    return True


cdef object _text_run(xmlNode* node, bint keep_blank):
    """The text of the run of text nodes from ``node`` on (lxml's ``.text`` or ``.tail``), or None;
    also None, without decoding it, for ASCII whitespace alone unless ``keep_blank`` (the walk skips
    blank text that would open a line)."""
    cdef xmlNode* run = node
    if node == NULL or not _is_text(node):
        return None
    if not keep_blank:
        while run != NULL and _is_text(run):
            if not _ascii_blank(<const unsigned char*>run.content):
                break
            run = run.next
        if run == NULL or not _is_text(run):
            return None
    first = _utf8(<const char*>node.content)
    node = node.next
    if node == NULL or not _is_text(node):
        return first
    parts = [first]
    while node != NULL and _is_text(node):
        parts.append(_utf8(<const char*>node.content))
        node = node.next
    return "".join(parts)


cdef list _entry(list getters, list cache, Py_ssize_t i):
    """``cache[i]``, made on first use: ``[own tokens, inherited tokens or None, their string or None]``."""
    entry = cache[i]
    if entry is None:
        entry = cache[i] = [_tokens(getters[i]), None, None]
    return <list>entry


cdef str _classid(list getters, list cache, Py_ssize_t idx):
    """``html._classid``: the ``classid`` cue of the block at ``getters[idx]``."""
    cdef tuple own = <tuple>_entry(getters, cache, idx)[0]
    cdef Py_ssize_t parent = idx - 1, i, chars = 0
    cdef list pentry, found
    cdef tuple inherited
    cdef str token
    if parent < 0:
        return _cap(" ".join(dict.fromkeys(own)))
    pentry = _entry(getters, cache, parent)
    if pentry[1] is None:
        found = []
        for i in range(parent, max(-1, parent - CLASSID_ANCESTORS), -1):
            found.extend(<tuple>_entry(getters, cache, i)[0])
        tokens = tuple(dict.fromkeys(found))
        pentry[1] = tokens
        pentry[2] = _cap(" ".join(tokens))
    if not own:
        return pentry[2]
    inherited = <tuple>pentry[1]
    for token in own:
        chars += len(token)
    for token in inherited:
        chars += len(token)
    if chars > CLASSID_CACHE_MAX_CHARS:
        return _join_classid(own, inherited)
    return _kept_classid(own, inherited)


cdef inline Py_ssize_t _visible(str line):
    """Characters of a whitespace-normalised line less its spaces."""
    return len(line) - line.count(" ")


cdef class _State:
    """``html._Lines`` with typed fields, and its ``flush`` and ``add_text`` as C methods (the
    same steps; the field comments are there)."""

    cdef public list rows, pieces, link_pieces, links, line_href, names, getters, cache, marks, blocks, last

    def __cinit__(self):
        self.rows, self.pieces, self.link_pieces, self.links, self.line_href = [], [], [], [], []
        self.names, self.getters, self.cache, self.marks, self.blocks = [], [], [], [], []
        self.last = [None, None]

    cdef int flush(self, int in_pre) except -1:
        """``html._Lines.flush``: the line(s) of the pieces gathered."""
        cdef str raw = "".join(self.pieces)
        cdef str line
        cdef Py_ssize_t link = 0, idx, start
        cdef list last = self.last
        self.pieces.clear()
        if self.link_pieces:
            link = len("".join("".join(self.link_pieces).split()))
            self.link_pieces.clear()
        if self.line_href:
            href, rel, at = self.line_href.pop()
        else:
            href, rel, at = "", "", -1
        idx = self.blocks[-1]
        get = self.getters[idx]
        if get is not last[0]:
            start = idx - PATH_COMPONENTS + 1
            last[0] = get
            last[1] = (self.names[idx], ">".join(self.names[max(0, start):idx + 1]), idx,
                       _classid(self.getters, self.cache, idx), self.marks[idx])
        if not in_pre:  # one line, never blank (its first piece is not)
            line = " ".join(raw.split())
            self.rows.append((line, last[1], min(1.0, link / _visible(line)) if link else 0.0, href, rel))
            return 0
        self.rows += _pre_rows(raw, last[1], link, href, rel, at)
        return 0

    cdef int add_text(self, str text, int in_pre) except -1:
        """``html._Lines.add_text``: ``text`` joins the line being built."""
        cdef list pieces = self.pieces
        cdef Py_ssize_t at = 0
        if text and (pieces or not text.isspace()):
            pieces.append(text)
            if self.links:
                self.link_pieces.append(text)
                if not self.line_href and not text.isspace():
                    if in_pre:
                        for piece in pieces:
                            at += len(<str>piece)
                        at -= len(text.lstrip())
                    self.line_href.append((*self.links[-1], at))
        return 0


cdef inline int _add_run(_State state, xmlNode* node, bint keep_blank, int in_pre) except -1:
    """The run of text nodes from ``node`` on, given to ``_State.add_text`` (no call when there is
    no text, or only blank text that :func:`_text_run` drops)."""
    text = _text_run(node, keep_blank)
    if text is not None:
        state.add_text(text, in_pre)
    return 0


cdef inline xmlNode* _element_from(xmlNode* node):
    """``node`` or the first of its following siblings that gets an event, or NULL."""
    while node != NULL and not _is_element_like(node):
        node = node.next
    return node


cdef object _attribute_value(xmlAttr* attr):
    """The value lxml's ``get`` returns: the attribute's text children joined (``""`` if none)."""
    cdef xmlNode* child = attr.children
    if child == NULL:
        return ""
    if child.next == NULL:
        return _utf8(<const char*>child.content)
    parts = []
    while child != NULL:
        if _is_text(child):
            parts.append(_utf8(<const char*>child.content))
        child = child.next
    return "".join(parts)


#: The attributes the walk and its helpers read (``_is_hidden``, ``_is_revealable``, ``_tokens``,
#: ``_landmark``, ``_link``), with what each tells (:data:`MAY_HIDE`, :data:`REGION`); an element's
#: other attributes are never made into strings.
_READ = (("class", 0), ("id", 0), ("href", 0), ("rel", 0), ("style", MAY_HIDE), ("hidden", MAY_HIDE),
         ("aria-hidden", MAY_HIDE), ("role", REGION), ("itemprop", REGION))
cdef enum:
    N_READ = 9
cdef tuple _READ_NAMES = tuple(name for name, _ in _READ)
cdef tuple _READ_BYTES = tuple(name.encode("ascii") for name, _ in _READ)
cdef const char* _read_chars[N_READ]
cdef int _read_bits[N_READ]
if len(_READ) != N_READ:
    raise ImportError("boilerplate._render: N_READ must be the number of _READ entries")
for _i in range(N_READ):
    _read_chars[_i] = <const char*>(<bytes>_READ_BYTES[_i])
    _read_bits[_i] = _READ[_i][1]


cdef inline object _read_name(const char* name, int* bits):
    """The attribute name among :data:`_READ`, or None; adds what it tells to ``bits``."""
    cdef int i
    for i in range(N_READ):
        if name[0] == _read_chars[i][0] and strcmp(name, _read_chars[i]) == 0:
            bits[0] |= _read_bits[i]
            return _READ_NAMES[i]
    return None


cdef dict _read_attributes(xmlNode* node, int* bits):
    """The element's attributes that the walk reads (:func:`_read_name`), without a namespace; the
    first of a name wins, as in lxml's ``get``."""
    cdef dict found = {}
    cdef xmlAttr* attr = node.properties
    while attr != NULL:
        if attr.ns == NULL:
            key = _read_name(<const char*>attr.name, bits)
            if key is not None and key not in found:
                found[key] = _attribute_value(attr)
        attr = attr.next
    return found


cdef class _TagClasses:
    """Tag name and class of each distinct element name met in one walk (libxml2's name pointer
    is the key: a few pointer compares, no string made)."""

    cdef const void* keys[TAG_SLOTS]
    cdef int flags[TAG_SLOTS]
    cdef list tags
    cdef dict more
    cdef int used

    def __cinit__(self):
        self.tags = []
        self.more = {}
        self.used = 0

    cdef object get(self, const void* name, int* flags):
        cdef int i
        for i in range(self.used):
            if self.keys[i] == name:
                flags[0] = self.flags[i]
                return self.tags[i]
        tag = _utf8(<const char*>name)
        known = self.more.get(tag)
        if known is None:
            known = (tag, _tag_flags(tag))
            self.more[tag] = known
        if self.used < TAG_SLOTS:
            self.keys[self.used] = name
            self.flags[self.used] = known[1]
            self.tags.append(known[0])
            self.used += 1
        flags[0] = known[1]
        return known[0]


cdef int _tag_flags(str tag):
    cdef int flags = 0
    if tag in DROP_TAGS:
        flags |= DROP
    if tag in BLOCK_TAGS:
        flags |= BLOCK
    if tag in _PRE_TAGS:
        flags |= PRE
    if tag in LANDMARK_TAGS:
        flags |= LANDMARK
    if tag == "br":
        flags |= BR
    if tag == "a":
        flags |= LINK
    return flags


def walk(root, bint drop_hidden=True):
    """:func:`boilerplate.html._walk` of the lxml element ``root``: a :class:`_State` with the same ``rows``."""
    if not _bound:
        raise RuntimeError("boilerplate._render.walk before bind(boilerplate.html)")
    cdef xmlNode* top = (<cetree._Element?>root)._c_node
    cdef xmlNode* node = top
    cdef xmlNode* child
    cdef int in_pre = 0
    cdef int flags, bits
    cdef list flag_stack = []
    cdef _TagClasses classes = _TagClasses()
    cdef dict attributes
    cdef _State state = _State()
    cdef list pieces = state.pieces
    cdef list links = state.links
    cdef list names = state.names
    cdef list getters = state.getters
    cdef list cache = state.cache
    cdef list marks = state.marks
    cdef list blocks = state.blocks
    while True:
        # the start event of node
        mark = marks[-1] if marks else ""
        attributes = {}
        flags = 0
        bits = 0
        if node.type != ELEMENT_NODE:  # comment, PI or entity: skipped
            tag = ""
        else:
            if node.ns == NULL:
                tag = classes.get(<const void*>node.name, &flags)
            else:  # lxml's "{uri}name" (a tree built through lxml's API; the HTML parser makes none)
                tag = "{" + _utf8(<const char*>node.ns.href) + "}" + _utf8(<const char*>node.name)
                flags = _tag_flags(tag)
            if flags & DROP:
                tag = ""
            else:
                if node.properties != NULL:
                    attributes = _read_attributes(node, &bits)
                get = attributes.get
                if bits & MAY_HIDE and drop_hidden and _is_hidden(get, attributes, tag):
                    tag = ""
                elif flags & LANDMARK or bits & REGION:
                    mark = _landmark(get, tag, attributes, mark)
        if not tag:
            flags = 0
        names.append(tag)
        get = attributes.get  # one reader per element: _State.flush tells blocks apart by it
        getters.append(get)
        cache.append(None)
        marks.append(mark)
        flag_stack.append(flags)
        if tag:
            read_text = True
            if flags & BLOCK:
                if pieces:
                    state.flush(in_pre)
                blocks.append(len(names) - 1)
                if flags & PRE:
                    in_pre += 1
            elif flags & BR:
                if pieces:
                    state.flush(in_pre)
                read_text = False
            elif flags & LINK:
                links.append(_link(get))
            if read_text:
                _add_run(state, node.children, len(pieces) > 0, in_pre)
            child = _element_from(node.children)
            if child != NULL:
                node = child
                continue
        # end events, up the tree until a next sibling
        while True:
            flags = flag_stack.pop()
            if flags & BLOCK:
                if pieces:
                    state.flush(in_pre)
                blocks.pop()
                if flags & PRE:
                    in_pre -= 1
            elif flags & LINK:
                links.pop()
            names.pop()
            getters.pop()
            cache.pop()
            marks.pop()
            if node == top:
                if pieces:
                    state.flush(in_pre)
                return state
            _add_run(state, node.next, len(pieces) > 0, in_pre)
            child = _element_from(node.next)
            if child != NULL:
                node = child
                break
            node = node.parent
