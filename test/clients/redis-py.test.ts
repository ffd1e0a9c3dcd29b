import { describe, expect, it } from 'vitest'
import { useRespite } from '../helpers/fixture.js'
import { pythonSkipReason, runPython } from '../helpers/python.js'

/** redis-py talks to the server and prints one JSON document of what it saw. */
const SCRIPT = String.raw`
import json, sys, redis
port = int(sys.argv[1])
out = {}
r = redis.Redis(host='127.0.0.1', port=port, decode_responses=True)
out['ping'] = r.ping()
out['set'] = r.set('py:k', 'v')
out['get'] = r.get('py:k')
out['mget'] = r.mget(['py:k', 'py:none'])
out['incr'] = r.incr('py:n')
out['info_version'] = r.info('server')['redis_version']
out['info_keyspace'] = r.info('keyspace')
out['config'] = r.config_get('maxmemory')
out['config_set'] = r.config_set('timeout', 0)
out['client_id'] = r.client_id()
r.client_setname('py-client')
out['client_name'] = r.client_getname()
out['client_list_names'] = [c['name'] for c in r.client_list()]
out['time_len'] = len(r.time())
p = r.pipeline(transaction=False)
p.set('py:p', '1'); p.get('py:p'); p.echo('hi')
out['pipeline'] = p.execute()
try:
    r.execute_command('CLIENT', 'SETNAME', 'a b')
except redis.ResponseError as e:
    out['error'] = str(e)
try:
    r.execute_command('HELLO', '4')
except redis.ResponseError as e:
    out['noproto'] = str(e)
sec = redis.Redis(host='127.0.0.1', port=int(sys.argv[2]), password='pw', decode_responses=True)
out['auth_ping'] = sec.ping()
try:
    redis.Redis(host='127.0.0.1', port=int(sys.argv[2]), decode_responses=True).get('x')
except redis.AuthenticationError as e:
    out['noauth'] = str(e)
except redis.ResponseError as e:
    out['noauth'] = str(e)
try:
    redis.Redis(host='127.0.0.1', port=int(sys.argv[2]), password='nope').ping()
except redis.AuthenticationError as e:
    out['wrongpass'] = str(e)
except redis.ResponseError as e:
    out['wrongpass'] = str(e)
print(json.dumps(out))
`


const { respite: server } = await useRespite({ flush: false })
const { respite: secured } = await useRespite({ requirepass: 'pw', flush: false })

describe.skipIf(pythonSkipReason !== null)('redis-py', () => {
  it('connects and runs commands, INFO, CONFIG GET/SET, CLIENT, pipelines; errors and AUTH surface as exceptions', async () => {
    const r = await runPython(SCRIPT, [String(server.port), String(secured.port)])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({
      ping: true,
      set: true,
      get: 'v',
      mget: ['v', null],
      incr: 1,
      info_version: '7.0.15',
      config: { maxmemory: '0' },
      config_set: true,
      client_name: 'py-client',
      time_len: 2,
      pipeline: [true, '1', 'hi'],
      error: 'Client names cannot contain spaces, newlines or special characters.',
      noproto: 'NOPROTO unsupported protocol version',
      auth_ping: true,
    })
    expect(out.info_keyspace.db0).toEqual({ keys: 2, expires: 0, avg_ttl: 0 })
    expect(out.client_id).toBeGreaterThan(0)
    expect(out.client_list_names).toContain('py-client')
    expect(out.noauth).toContain('Authentication required')
    expect(out.wrongpass).toContain('invalid username-password pair')
  })
})
