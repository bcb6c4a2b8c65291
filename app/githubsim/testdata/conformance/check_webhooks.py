import json, sys
import jsonschema
root = json.load(open(sys.argv[1]))
defs = root['definitions']
problems = 0
seen = set()
for line in open(sys.argv[2]):
    h = json.loads(line)
    ev, p = h['event'], h['payload']
    name = f"{ev}${p['action']}" if 'action' in p else f"{ev}$event"
    if name not in defs:
        print('NO SCHEMA', name); continue
    schema = {'$ref': '#/definitions/' + name, 'definitions': defs}
    errs = list(jsonschema.Draft7Validator(schema).iter_errors(p))
    for e in sorted(errs, key=lambda e: list(e.absolute_path))[:15]:
        key = (name, tuple(str(x) for x in e.absolute_path), e.message[:80])
        if key in seen: continue
        seen.add(key)
        print(name, list(e.absolute_path), e.message[:160]); problems += 1
print('problems', problems)
