import json, re, sys
import jsonschema

spec = json.load(open(sys.argv[1]))
rec = [json.loads(l) for l in open(sys.argv[2])]

def fix(s):
    if isinstance(s, dict):
        s = {k: fix(v) for k, v in s.items()}
        if s.pop('nullable', False):
            if 'type' in s:
                t = s['type']
                s['type'] = (t if isinstance(t, list) else [t]) + ['null']
                if 'enum' in s: s['enum'] = s['enum'] + [None]
            else:
                s = {'anyOf': [s, {'type': 'null'}]}
        return s
    if isinstance(s, list):
        return [fix(x) for x in s]
    return s

templates = []
for p in spec['paths']:
    rx = re.sub(r'\{(path|branch)\}', r'(.+)', p)
    rx = re.sub(r'\{[^}]+\}', r'[^/]+', rx)
    templates.append((p.count('{'), p, re.compile('^' + rx + '$')))
templates.sort()

problems = 0
for x in rec:
    path = x['path'].split('?')[0]
    m = x['method'].lower()
    tpl = next((p for _, p, rx in templates if rx.match(path) and m in spec['paths'][p]), None)
    if tpl is None:
        print('NO PATH', x['method'], path); problems += 1; continue
    op = spec['paths'][tpl][m]
    st = str(x['status'])
    label = f"{x['method']} {tpl} {st}"
    if st == '304' and m == 'get':
        continue  # a conditional GET: not listed per operation, always allowed
    if st not in op['responses']:
        print('UNDOCUMENTED STATUS', label, list(op['responses'])); problems += 1
    else:
        r = op['responses'][st]
        sch = r.get('content', {}).get('application/json', {}).get('schema')
        if sch is not None and x['response'] is not None:
            errs = list(jsonschema.Draft7Validator(fix(sch)).iter_errors(x['response']))
            for e in errs[:8]:
                print('RESPONSE', label, list(e.absolute_path), e.message[:200]); problems += 1
        elif sch is None and x['response'] is not None and st not in ('404','401','403','409','405','422'):
            print('BODY NOT DOCUMENTED', label)
        elif sch is not None and x['response'] is None:
            print('MISSING BODY', label); problems += 1
    rb = op.get('requestBody', {}).get('content', {}).get('application/json', {}).get('schema')
    if rb is not None and x['request'] is not None and st[0] == '2':
        for e in list(jsonschema.Draft7Validator(fix(rb)).iter_errors(x['request']))[:5]:
            print('REQUEST', label, list(e.absolute_path), e.message[:200]); problems += 1
print('checked', len(rec), 'exchanges,', problems, 'problems')
