#!/usr/bin/env python3
"""Golden expectations for goprobe's offline mode, from an independent decoder.

tshark (Wireshark) decodes every packet; this script only reads tshark's
per-packet fields and applies the flow model of docs/ (DESIGN.md, "The flow
model") to them: goProbe v4 orientation, conversations that leave after a
whole idle window, fragments attributed through their first fragment, and
five-minute blocks by packet time. It shares no code with goprobe.

Regenerate (from the repository root):

    python3 tests/golden/make_golden.py tests/data/pcaps tests/golden/expected

Optionally cross-check the unordered IP-pair totals against a second
decoder (a script with the interface of ref_agg.py: `ref_agg.py FILE pair`):

    python3 tests/golden/make_golden.py tests/data/pcaps tests/golden/expected \\
        --ref-agg /path/to/ref_agg.py

Output, one file per capture (<capture>.golden), lines of comma-separated
fields:
    summary,<packets>,<bytes>,<unplaced>
        every packet record, its wire bytes, and the packets in no flow
        (not IP, or cut before the IP addresses)
    block,<time>,<sip>,<dip>,<dport>,<proto>,<bytes_rcvd>,<bytes_sent>,<pkts_rcvd>,<pkts_sent>
        one flow of the block at <time> (the end of its interval)
    pair,<ip a>,<ip b>,<packets>,<bytes>
        totals per unordered IP pair (a < b as text), over all blocks
"""
import argparse
import gzip
import ipaddress
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

FIELDS = [
    'frame.encap_type', 'frame.len', 'frame.time_epoch', 'frame.protocols', 'sll.pkttype',
    'frame.packet_flags_direction',
    'ip.src', 'ip.dst', 'ip.proto', 'ip.id', 'ip.flags.mf', 'ip.frag_offset',
    'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.hopopts.nxt', 'ipv6.routing.nxt',
    'ipv6.dstopts.nxt', 'ipv6.fraghdr.nxt', 'ah.next_header',
    'ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident',
    'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport',
    'icmp.type', 'icmpv6.type',
]
# tshark's names for IPv6 extension headers and the field holding the next one.
V6_EXT = {'ipv6.hopopts': 'ipv6.hopopts.nxt', 'ipv6.routing': 'ipv6.routing.nxt',
          'ipv6.dstopts': 'ipv6.dstopts.nxt', 'ipv6.fraghdr': 'ipv6.fraghdr.nxt',
          'ah': 'ah.next_header'}
L4_NAMES = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58}
WINDOW = 300
FRAGMENT_TIMEOUT = 30.0


def tshark_rows(path):
    cmd = ['tshark', '-n', '-r', path, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE',
           '-o', 'tcp.desegment_tcp_streams:FALSE', '-T', 'fields', '-E', 'separator=/t',
           '-E', 'occurrence=a', '-E', 'aggregator=|']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        cols = line.split('\t')
        cols += [''] * (len(FIELDS) - len(cols))
        yield {f: (cols[i].split('|') if cols[i] else []) for i, f in enumerate(FIELDS)}


def first(row, field, conv=str):
    v = row[field]
    return conv(v[0]) if v else None


def num(s):
    return int(s, 0)


def flag(s):
    return s in ('1', 'True', 'true')


def is_ephemeral(port):
    return port >= 32768 or port == 0


def multicast_or_broadcast(dst):
    a = ipaddress.ip_address(dst)
    return a.is_multicast or (a.version == 4 and dst == '255.255.255.255')


def should_flip(pkt):
    """goProbe v4's orientation of a conversation's first packet."""
    proto, sport, dport, aux = pkt['proto'], pkt['sport'], pkt['dport'], pkt['aux']
    if proto == 6:
        if aux is not None and aux & 0x02:
            return bool(aux & 0x10)
        return flip_by_ports(sport, dport)
    if proto == 17:
        if multicast_or_broadcast(pkt['dst']):
            return False
        return flip_by_ports(sport, dport)
    if proto == 1:
        return aux in (0, 3, 11, 12, 14)
    if proto == 58:
        if multicast_or_broadcast(pkt['dst']):
            return False
        return aux in (129, 1, 3, 4)
    return False


def flip_by_ports(sport, dport):
    se, de = is_ephemeral(sport), is_ephemeral(dport)
    if se != de:
        return not se
    return sport < dport


def decode(row, fragments):
    """The packet's flow-relevant fields, or None if it is in no flow."""
    protos = row['frame.protocols'][0].split(':') if row['frame.protocols'] else []
    l3 = next((i for i, p in enumerate(protos) if p in ('ip', 'ipv6')), None)
    if l3 is None:
        return None
    ts = float(first(row, 'frame.time_epoch') or 0)
    pkt = {'sport': 0, 'dport': 0, 'aux': None}
    rest = protos[l3 + 1:]
    if protos[l3] == 'ip':
        if not row['ip.src'] or not row['ip.proto']:
            return None
        pkt.update(v=4, src=row['ip.src'][0], dst=row['ip.dst'][0], proto=num(row['ip.proto'][0]))
        frag_id = num(row['ip.id'][0])
        later = num(row['ip.frag_offset'][0]) != 0
        more = flag(row['ip.flags.mf'][0])
    else:
        if not row['ipv6.src']:
            return None
        pkt.update(v=6, src=row['ipv6.src'][0], dst=row['ipv6.dst'][0])
        proto = num(row['ipv6.nxt'][0])
        frag_id, later, more = None, False, False
        used = defaultdict(int)
        while rest and rest[0] in V6_EXT:
            name = rest.pop(0)
            vals = row[V6_EXT[name]]
            if used[name] < len(vals):
                proto = num(vals[used[name]])
            used[name] += 1
            if name == 'ipv6.fraghdr':
                frag_id = num(row['ipv6.fraghdr.ident'][0])
                later = num(row['ipv6.fraghdr.offset'][0]) != 0
                more = flag(row['ipv6.fraghdr.more'][0])
        pkt['proto'] = proto
    proto = pkt['proto']
    key = (pkt['src'], pkt['dst'], frag_id, proto)
    l4 = rest[0] if rest else None
    if proto in (6, 17):
        if later:
            hit = fragments.get(key)
            if hit and ts - hit[2] <= FRAGMENT_TIMEOUT:
                pkt['sport'], pkt['dport'] = hit[0], hit[1]
        elif l4 == ('tcp' if proto == 6 else 'udp'):
            name = 'tcp' if proto == 6 else 'udp'
            sp, dp = first(row, name + '.srcport', int), first(row, name + '.dstport', int)
            if sp is not None and dp is not None:
                pkt['sport'], pkt['dport'] = sp, dp
                if proto == 6 and row['tcp.flags']:
                    pkt['aux'] = num(row['tcp.flags'][0]) & 0xff
                if more:
                    fragments[key] = (sp, dp, ts)
    elif proto in (1, 58) and not later and l4 == ('icmp' if proto == 1 else 'icmpv6'):
        t = first(row, 'icmp.type' if proto == 1 else 'icmpv6.type', num)
        pkt['aux'] = t
    pkt['ts'] = ts
    pkttype = first(row, 'sll.pkttype', num)
    pkt['dir'] = None if pkttype is None else ('out' if pkttype == 4 else 'in' if pkttype <= 3 else None)
    flags = first(row, 'frame.packet_flags_direction', num)  # pcapng epb_flags: 1 in, 2 out
    if flags in (1, 2):
        pkt['dir'] = 'in' if flags == 1 else 'out'
    return pkt


class Flows:
    """Conversations oriented when first seen; they leave after an idle window."""

    def __init__(self):
        self.conv = {}  # (client, server, cport, sport, proto) -> active in this window
        self.window = defaultdict(lambda: [0, 0, 0, 0])  # bytes_rcvd, bytes_sent, pkts_rcvd, pkts_sent

    def add(self, p, wire):
        fwd = (p['src'], p['dst'], p['sport'], p['dport'], p['proto'])
        rev = (p['dst'], p['src'], p['dport'], p['sport'], p['proto'])
        if fwd in self.conv:
            key, from_client = fwd, True
        elif rev in self.conv:
            key, from_client = rev, False
        else:
            flip = should_flip(p)
            key, from_client = (rev, False) if flip else (fwd, True)
        self.conv[key] = True
        sent = p['dir'] == 'out' or (p['dir'] is None and from_client)
        c = self.window[(key[0], key[1], key[3], key[4])]
        c[1 if sent else 0] += wire
        c[3 if sent else 2] += 1

    def end_window(self):
        rows = self.window
        self.window = defaultdict(lambda: [0, 0, 0, 0])
        self.conv = {k: False for k, active in self.conv.items() if active}
        return rows


def golden(path):
    fragments = {}
    flows = Flows()
    blocks = []
    packets = total_bytes = unplaced = 0
    window_end = None
    newest = None
    for row in tshark_rows(path):
        if not row['frame.encap_type']:
            continue  # a pcapng block tshark lists that is not a packet
        wire = int(row['frame.len'][0])
        packets += 1
        total_bytes += wire
        ts = float(first(row, 'frame.time_epoch') or 0)
        sec = int(ts // 1)
        if window_end is None:
            window_end, newest = (sec // WINDOW + 1) * WINDOW, sec
        elif sec >= window_end:
            blocks.append((window_end, flows.end_window()))
            window_end, newest = (sec // WINDOW + 1) * WINDOW, sec
        else:
            newest = max(newest, sec)
        p = decode(row, fragments)
        if p is None:
            unplaced += 1
            continue
        flows.add(p, wire)
    if window_end is not None:
        last = min(max(newest + 1, window_end - WINDOW + 1), window_end)
        blocks.append((last, flows.end_window()))
    return packets, total_bytes, unplaced, blocks


def sort_ip(a):
    ip = ipaddress.ip_address(a)
    return (ip.version, int(ip))


def write_golden(name, result, out_dir):
    packets, total_bytes, unplaced, blocks = result
    pairs = defaultdict(lambda: [0, 0])
    lines = [f'# {name}: generated by tests/golden/make_golden.py from tshark fields; do not edit',
             f'summary,{packets},{total_bytes},{unplaced}']
    for t, rows in blocks:
        for (sip, dip, dport, proto), c in sorted(
                rows.items(), key=lambda kv: (sort_ip(kv[0][0]), sort_ip(kv[0][1]), kv[0][2], kv[0][3])):
            lines.append(f'block,{t},{sip},{dip},{dport},{proto},{c[0]},{c[1]},{c[2]},{c[3]}')
            a, b = sorted((sip, dip), key=sort_ip)
            pairs[(a, b)][0] += c[2] + c[3]
            pairs[(a, b)][1] += c[0] + c[1]
    for (a, b), (n, by) in sorted(pairs.items(), key=lambda kv: (sort_ip(kv[0][0]), sort_ip(kv[0][1]))):
        lines.append(f'pair,{a},{b},{n},{by}')
    with open(os.path.join(out_dir, name + '.golden'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return pairs


def ref_agg_pairs(ref_agg, path):
    tmp = None
    if path.endswith('.gz'):
        fd, tmp = tempfile.mkstemp(suffix='.pcap')
        with gzip.open(path) as src, os.fdopen(fd, 'wb') as dst:
            shutil.copyfileobj(src, dst)
        path = tmp
    try:
        out = subprocess.run([sys.executable, ref_agg, path, 'pair'], check=True,
                             capture_output=True, text=True).stdout
    finally:
        if tmp:
            os.unlink(tmp)
    pairs = defaultdict(lambda: [0, 0])
    for line in out.splitlines():
        s, d, n, l2, _ = line.split(',')
        a, b = sorted((s, d), key=sort_ip)
        pairs[(a, b)][0] += int(n)
        pairs[(a, b)][1] += int(l2)
    return pairs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('pcap_dir')
    ap.add_argument('out_dir')
    ap.add_argument('--ref-agg', help='second decoder to cross-check pair totals against')
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    names = sorted(n for n in os.listdir(args.pcap_dir)
                   if n.endswith(('.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz')))
    for name in names:
        path = os.path.join(args.pcap_dir, name)
        pairs = write_golden(name, golden(path), args.out_dir)
        if args.ref_agg:
            ref = ref_agg_pairs(args.ref_agg, path)
            diffs = [(k, pairs.get(k), ref.get(k)) for k in sorted(set(pairs) | set(ref))
                     if list(pairs.get(k, [0, 0])) != list(ref.get(k, [0, 0]))]
            for k, mine, theirs in diffs:
                print(f'{name}: pair {k[0]} {k[1]}: tshark {mine} ref_agg {theirs}')
        print(f'{name}: ok', file=sys.stderr)


if __name__ == '__main__':
    main()
