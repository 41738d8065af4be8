#!/usr/bin/env python3
"""Prints Cinnabar `Command` declarations from a reference Redis server.

Usage: tools/gen_command_docs.py [--port 6379] [--host 127.0.0.1] [--docs-only] NAME...

For each command NAME it reads `COMMAND INFO` and `COMMAND DOCS` from the reference
server and prints the Rust `Command { .. }` literal for a family's `COMMANDS` table:
metadata (arity, flags, ACL categories, tips, key specs), docs (summary, since, group,
complexity, doc flags, deprecation, history) and the argument tree, with subcommands.
Handlers are named after the command (`config_get` for `CONFIG GET`); rename as
needed. With --docs-only it prints only the doc fields (doc_flags .. args), to paste
into an existing declaration.
"""
import argparse
import socket
import sys


class Map(list):
    """A RESP3 map, kept as ordered (key, value) pairs."""


class Set(list):
    """A RESP3 set."""


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port))
        self.f = self.s.makefile('rb')
        self.cmd('HELLO', '3')

    def cmd(self, *args):
        out = b'*%d\r\n' % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b'$%d\r\n%s\r\n' % (len(a), a)
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()
        t, body = line[:1], line[1:-2].decode()
        if t in (b'$', b'='):
            n = int(body)
            return None if n < 0 else self.f.read(n + 2)[:-2].decode()
        if t == b'+':
            return body
        if t == b'-':
            raise RuntimeError(body)
        if t == b':':
            return int(body)
        if t == b'_':
            return None
        if t in (b'*', b'~'):
            items = [self.read() for _ in range(int(body))]
            return Set(items) if t == b'~' else items
        if t == b'%':
            return Map((self.read(), self.read()) for _ in range(int(body)))
        raise RuntimeError('unexpected reply %r' % line)


def lit(s):
    """A Rust string literal."""
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def strs(items):
    return '&[' + ', '.join(lit(i) for i in items) + ']'


ARG_TYPES = {
    'string': 'String', 'integer': 'Integer', 'double': 'Double', 'key': 'Key',
    'pattern': 'Pattern', 'unix-time': 'UnixTime', 'pure-token': 'PureToken',
    'oneof': 'Oneof', 'block': 'Block',
}


def arg_expr(a, indent):
    a = dict(a)
    kind, name = a['type'], a['name']
    rest = set(a) - {'name', 'type'}
    if kind == 'key' and 'key_spec_index' in a:
        expr = 'Arg::key(%s, %d)' % (lit(name), a['key_spec_index'])
        rest.discard('key_spec_index')
    elif kind == 'pure-token' and 'token' in a:
        expr = 'Arg::pure(%s, %s)' % (lit(name), lit(a['token']))
        rest.discard('token')
    else:
        expr = 'Arg::new(%s, ArgType::%s)' % (lit(name), ARG_TYPES[kind])
    for field in ('token', 'summary', 'since', 'deprecated_since'):
        if field in rest:
            expr += '.%s(%s)' % (field, lit(a[field]))
            rest.discard(field)
    if 'flags' in rest:
        expr += '.flags(%s)' % strs(a['flags'])
        rest.discard('flags')
    if 'arguments' in rest:
        expr += '.args(%s)' % args_expr(a['arguments'], indent)
        rest.discard('arguments')
    if rest:
        sys.exit('unsupported argument fields %s in %s' % (sorted(rest), name))
    return expr


def args_expr(args, indent):
    pad = ' ' * indent
    inner = ''.join('%s    %s,\n' % (pad, arg_expr(a, indent + 4)) for a in args)
    return '&[\n' + inner + pad + ']'


def key_spec(spec):
    spec = dict(spec)
    flags = strs(spec['flags'])
    begin, find = dict(spec['begin_search']), dict(spec['find_keys'])
    bspec, fspec = dict(begin['spec']), dict(find['spec'])
    notes = spec.get('notes')
    if begin['type'] == 'index' and find['type'] == 'range' and fspec['limit'] == 0 and not notes:
        if (fspec['lastkey'], fspec['keystep']) == (0, 1):
            return 'KeySpec::at(%d, %s)' % (bspec['index'], flags)
        if fspec['lastkey'] == -1:
            return 'KeySpec::rest(%d, %d, %s)' % (bspec['index'], fspec['keystep'], flags)
    if begin['type'] == 'index':
        b = 'BeginSearch::Index(%d)' % bspec['index']
    elif begin['type'] == 'keyword':
        b = 'BeginSearch::Keyword { keyword: %s, startfrom: %d }' % (lit(bspec['keyword']), bspec['startfrom'])
    else:
        b = 'BeginSearch::Unknown'
    if find['type'] == 'range':
        f = 'FindKeys::Range { lastkey: %d, keystep: %d, limit: %d }' % (
            fspec['lastkey'], fspec['keystep'], fspec['limit'])
    elif find['type'] == 'keynum':
        f = 'FindKeys::Keynum { keynumidx: %d, firstkey: %d, keystep: %d }' % (
            fspec['keynumidx'], fspec['firstkey'], fspec['keystep'])
    else:
        f = 'FindKeys::Unknown'
    n = 'Some(%s)' % lit(notes) if notes else 'None'
    return 'KeySpec { flags: %s, begin: %s, find: %s, notes: %s }' % (flags, b, f, n)


def doc_fields(doc, pad):
    out = []
    if doc.get('doc_flags'):
        out.append('%sdoc_flags: %s,' % (pad, strs(doc['doc_flags'])))
    if doc.get('deprecated_since'):
        out.append('%sdeprecated_since: %s,' % (pad, lit(doc['deprecated_since'])))
    if doc.get('replaced_by'):
        out.append('%sreplaced_by: %s,' % (pad, lit(doc['replaced_by'])))
    if doc.get('history'):
        items = ''.join('%s    (%s, %s),\n' % (pad, lit(v), lit(t)) for v, t in doc['history'])
        out.append('%shistory: &[\n%s%s],' % (pad, items, pad))
    if doc.get('arguments'):
        out.append('%sargs: %s,' % (pad, args_expr(doc['arguments'], len(pad))))
    return out


def command(info, doc, indent, container=None):
    pad = ' ' * indent
    f = pad + '    '
    name, arity, flags, first, last, step, acl, tips, specs, subs = info
    short = name.split('|')[-1]
    handler = (container + '_' if container else '') + short.replace('-', '_')
    doc = dict(doc)
    lines = [pad + 'Command {', '%sname: %s,' % (f, lit(short)), '%sarity: %d,' % (f, arity)]
    if flags:
        lines.append('%sflags: %s,' % (f, strs(flags)))
    if acl:
        lines.append('%sacl: %s,' % (f, strs(acl)))
    if tips:
        lines.append('%stips: %s,' % (f, strs(tips)))
    if (first, last, step) != (0, 0, 0):
        lines.append('%srange: (%d, %d, %d),' % (f, first, last, step))
    if specs:
        inner = ''.join('%s    %s,\n' % (f, key_spec(s)) for s in specs)
        lines.append('%skey_specs: &[\n%s%s],' % (f, inner, f))
    if subs:
        sub_docs = dict(doc.get('subcommands', []))
        lines.append('%ssubcommands: &[' % f)
        for s in sorted(subs, key=lambda s: s[0]):
            lines.append(command(s, sub_docs[s[0]], indent + 8, short.replace('-', '_')) + ',')
        lines.append('%s],' % f)
    else:
        lines.append('%shandler: %s,' % (f, handler))
    for field in ('group', 'since', 'summary', 'complexity'):
        if doc.get(field):
            lines.append('%s%s: %s,' % (f, field, lit(doc[field])))
    lines += doc_fields(doc, f)
    lines.append(f + '..Command::DEFAULT')
    lines.append(pad + '}')
    return '\n'.join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port', type=int, default=6379)
    p.add_argument('--docs-only', action='store_true')
    p.add_argument('names', nargs='+')
    o = p.parse_args()
    conn = Conn(o.host, o.port)
    for name in o.names:
        name = name.lower()
        info = conn.cmd('COMMAND', 'INFO', name)[0]
        docs = conn.cmd('COMMAND', 'DOCS', name)
        if info is None or not docs:
            sys.exit('unknown command %s' % name)
        doc = dict(docs)[name]
        if o.docs_only:
            print('// %s' % name)
            print('\n'.join(doc_fields(dict(doc), '        ')))
        else:
            print(command(info, doc, 4) + ',')


if __name__ == '__main__':
    main()
