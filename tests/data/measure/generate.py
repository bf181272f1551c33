#!/usr/bin/env python3
"""Generates the final held-out measurement corpus for `capture::to_json`.

    python3 tests/data/measure/generate.py

writes `secrets.json` and `benign.json` next to this script. Everything random comes from one
`random.Random(SEED)`, so running it again gives byte-identical files.

secrets.json: [{id, kind, marker, text, secret}]
  text    what an AI agent framework would capture (tool result, HTTP dump, stack trace, chat
          message, tool-call arguments, config file, ...)
  secret  the part of `text` that must not survive scrubbing
  marker  true when the secret is recognisable by its format or by a nearby key-like word,
          assignment or field name; false when it is free text with no marker at all

benign.json: [{id, kind, text}]  values that must come through exactly unchanged.

The corpus was written without looking at the scrubber's rules or at the earlier corpora.
"""

import base64
import json
import os
import random
import string
import uuid

SEED = 0x7E57_F1A1  # "test final"
R = random.Random(SEED)

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64URL = ALNUM + "-_"


def rs(n, alphabet=ALNUM):
    return "".join(R.choice(alphabet) for _ in range(n))


def hexs(n):
    return rs(n, HEX)


def b64(nbytes):
    return base64.b64encode(R.randbytes(nbytes)).decode()


def b64url(nbytes):
    return base64.urlsafe_b64encode(R.randbytes(nbytes)).decode().rstrip("=")


def pw(n=16):
    """A password with letters, digits and symbols that are safe inside quotes and shells."""
    syms = "!%^+=?-_.@"
    while True:
        s = R.choice(string.ascii_letters) + rs(n - 1, ALNUM + syms)
        if (any(c.isdigit() for c in s) and any(c in syms for c in s)
                and any(c.isupper() for c in s) and any(c.islower() for c in s)):
            return s


def urlpw(n=18):
    """A password that needs no percent-encoding in URL userinfo."""
    while True:
        s = R.choice(string.ascii_letters) + rs(n - 1, ALNUM + "-_")
        if any(c.isdigit() for c in s) and any(c.isupper() for c in s):
            return s


def uid():
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def jwt(alg="HS256", claims=None, sig_bytes=32, kid=None):
    header = {"alg": alg, "typ": "JWT"}
    if kid:
        header["kid"] = kid
    payload = {"sub": uid(), "iat": 1717000000 + R.randrange(10**6)}
    payload["exp"] = payload["iat"] + 3600
    if claims:
        payload.update(claims)
    enc = lambda o: base64.urlsafe_b64encode(
        json.dumps(o, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{enc(header)}.{enc(payload)}.{b64url(sig_bytes)}"


def pem_lines(nbytes, prefix=""):
    body = prefix + base64.b64encode(R.randbytes(nbytes)).decode()
    return [body[i:i + 64] for i in range(0, len(body), 64)]


def pem(label, nbytes, prefix=""):
    lines = pem_lines(nbytes, prefix)
    text = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"
    return text, lines[len(lines) // 2]


def ip():
    return f"10.{R.randrange(256)}.{R.randrange(256)}.{R.randrange(1, 255)}"


def T(_tpl, **kw):
    for k, v in kw.items():
        _tpl = _tpl.replace(f"«{k}»", str(v))
    assert "«" not in _tpl, _tpl
    return _tpl


def jd(o, indent=None):
    return json.dumps(o, indent=indent)


def aws_key_id(prefix="AKIA"):
    return prefix + rs(16, UPPER_ALNUM)


def aws_secret():
    return rs(40, ALNUM + "+/")


SECRETS = []


def secret(kind, marker, text, value):
    assert value in text, (kind, value, text)
    SECRETS.append({"kind": kind, "marker": marker, "text": text, "secret": value})


# ---------------------------------------------------------------------------------------------
# Tool results from shell commands
# ---------------------------------------------------------------------------------------------

BASE_ENV = [
    "SHELL=/bin/bash", "HOME=/home/agent", "LANG=C.UTF-8", "TERM=xterm-256color",
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "PWD=/workspace/app", "HOSTNAME=agent-runner-7f9c4", "SHLVL=1", "_=/usr/bin/env",
    "TOKENIZERS_PARALLELISM=false", "SSH_AUTH_SOCK=/tmp/ssh-XXXXk2Lm/agent.4121",
    "PYTHONUNBUFFERED=1", "NODE_ENV=production", "TZ=UTC",
]


def env_dump(*extra):
    lines = BASE_ENV[:]
    for e in extra:
        lines.insert(R.randrange(len(lines) + 1), e)
    return "\n".join(lines) + "\n"


k = "sk-proj-" + rs(74, B64URL) + "T3BlbkFJ" + rs(74, B64URL)
secret("env/openai-project-key", True, env_dump(f"OPENAI_API_KEY={k}", "OPENAI_BASE_URL=https://api.openai.com/v1"), k)

k = "sk-ant-api03-" + rs(93, B64URL) + "AA"
secret("printenv/anthropic-bare", True, k + "\n", k)

p = pw(20)
secret("printenv/bare-password", False, p + "\n", p)

s = aws_secret()
secret("env/aws-secret", True, env_dump(f"AWS_ACCESS_KEY_ID={aws_key_id()}", f"AWS_SECRET_ACCESS_KEY={s}", "AWS_DEFAULT_REGION=eu-west-1"), s)

k = "ghs_" + rs(36)
secret("env/github-actions-token", True, env_dump(f"GITHUB_TOKEN={k}", "GITHUB_REPOSITORY=acme/agent", "CI=true"), k)

k = "hf_" + rs(34)
secret("env/huggingface", True, env_dump(f"HF_TOKEN={k}", "HF_HOME=/cache/hf"), k)

p = urlpw(22)
secret("env/database-url", True, env_dump(f"DATABASE_URL=postgresql://app_rw:{p}@pg-primary.internal:5432/app"), p)

p = pw(18)
secret("env/dotnet-connstring", True, env_dump(
    f"ConnectionStrings__Default=Server=sql01.corp.local;Database=Orders;User Id=orders_app;Password={p};TrustServerCertificate=True",
    "ASPNETCORE_ENVIRONMENT=Staging"), p)

k = "sk_live_" + rs(99)
secret("cat-env/stripe", True, T("""# Payments
export STRIPE_PUBLISHABLE_KEY="pk_live_«pk»"
export STRIPE_SECRET_KEY="«k»"
# Feature flags
ENABLE_CHECKOUT_V2=true
""", pk=rs(99), k=k), k)

h = hexs(64)
secret("cat-env/session-secret", True, T("""APP_NAME=helpdesk
APP_PORT=8080
SESSION_SECRET='«h»'
LOG_LEVEL=info
""", h=h), h)

k = b64(32)
secret("cat-env/jwt-signing-key", True, f"JWT_ISSUER=https://auth.acme.dev\nJWT_SIGNING_KEY={k}\nJWT_TTL=900\n", k)

k = rs(32)
secret("cat-env/mistral", True, f"# LLM providers\nMISTRAL_API_KEY={k}\nMISTRAL_MODEL=mistral-large-latest\n", k)

k = rs(40)
secret("cat-env/cohere", True, f"COHERE_API_KEY = {k}\nCOHERE_MODEL = command-r-plus\n", k)

p = urlpw(24)
secret("cat-env/redis-url-empty-user", True, f"CACHE_TTL=300\nREDIS_URL=redis://:{p}@cache.internal:6379/0\n", p)

p = pw(20)
v = base64.b64encode(p.encode()).decode()
secret("kubectl/secret-yaml-password", True, T("""apiVersion: v1
data:
  password: «v»
  username: «u»
kind: Secret
metadata:
  creationTimestamp: "2024-06-11T09:12:44Z"
  name: postgres-credentials
  namespace: payments
  resourceVersion: "48121"
  uid: «uid»
type: Opaque
""", v=v, u=base64.b64encode(b"payments").decode(), uid=uid()), v)

dcj = {"auths": {"registry.acme.io": {"username": "ci-bot", "password": pw(24), "auth": b64(30)}}}
v = base64.b64encode(json.dumps(dcj).encode()).decode()
secret("kubectl/secret-yaml-dockerconfigjson", True, T("""apiVersion: v1
data:
  .dockerconfigjson: «v»
kind: Secret
metadata:
  name: regcred
  namespace: default
type: kubernetes.io/dockerconfigjson
""", v=v), v)

tok = base64.b64encode(rs(48).encode()).decode()
secret("kubectl/secret-json-token", True, jd({
    "apiVersion": "v1", "kind": "Secret",
    "metadata": {"name": "slack-bot", "namespace": "agents"},
    "type": "Opaque",
    "data": {"token": tok, "channel": base64.b64encode(b"#alerts").decode()}}, 4), tok)

h = hexs(32)
secret("kubectl/jsonpath-decoded-bare", False, h, h)

p = pw(18)
secret("docker-inspect/env", True, jd([{
    "Id": hexs(64), "Created": "2024-05-30T08:01:12.5Z", "Path": "docker-entrypoint.sh",
    "Config": {"Hostname": hexs(12), "User": "", "Env": [
        f"POSTGRES_PASSWORD={p}", "POSTGRES_USER=app", "POSTGRES_DB=app",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "GOSU_VERSION=1.17", "PG_MAJOR=16", "PGDATA=/var/lib/postgresql/data"],
        "Image": "postgres:16"}}], 4), p)

p = pw(22)
secret("docker-inspect/env-format", True,
       "[MINIO_ROOT_USER=minioadmin MINIO_ROOT_PASSWORD=" + p + " PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin MINIO_ACCESS_KEY_FILE=access_key]\n", p)

s = aws_secret()
secret("cat/aws-credentials", True, T("""[default]
aws_access_key_id = «id»
aws_secret_access_key = «s»

[profile-ro]
aws_access_key_id = «id2»
region = us-east-2
""", id=aws_key_id(), s=s, id2=aws_key_id()), s)

st = "IQoJb3JpZ2luX2VjE" + rs(380, ALNUM + "+/") + "=="
secret("aws/sts-assume-role-json", True, jd({
    "Credentials": {"AccessKeyId": aws_key_id("ASIA"), "SecretAccessKey": aws_secret(),
                    "SessionToken": st, "Expiration": "2024-06-12T10:21:33+00:00"},
    "AssumedRoleUser": {"AssumedRoleId": "AROA" + rs(17, UPPER_ALNUM) + ":agent",
                        "Arn": "arn:aws:sts::123456789012:assumed-role/agent-role/agent"}}, 4), st)

s = aws_secret()
secret("aws/export-credentials-env", True, T("""export AWS_ACCESS_KEY_ID=«id»
export AWS_SECRET_ACCESS_KEY=«s»
export AWS_SESSION_TOKEN=«t»
export AWS_CREDENTIAL_EXPIRATION=2024-06-12T11:00:00+00:00
""", id=aws_key_id("ASIA"), s=s, t="IQoJb3JpZ2luX2VjE" + rs(200, ALNUM + "+/")), s)

k = "ghs_" + rs(36)
secret("git-remote-v/x-access-token", True, T("""origin	https://x-access-token:«k»@github.com/acme/agent-platform.git (fetch)
origin	https://x-access-token:«k»@github.com/acme/agent-platform.git (push)
upstream	git@github.com:upstream/agent-platform.git (fetch)
upstream	git@github.com:upstream/agent-platform.git (push)
""", k=k), k)

k = "glpat-" + rs(20, B64URL)
secret("git-remote-v/gitlab-oauth2", True, f"origin\thttps://oauth2:{k}@gitlab.com/data-team/etl.git (fetch)\norigin\thttps://oauth2:{k}@gitlab.com/data-team/etl.git (push)\n", k)

k = "ATBB" + rs(28) + hexs(8).upper()
secret("git-remote-v/bitbucket-app-password", True, f"origin\thttps://jsmith:{k}@bitbucket.org/acme/infra.git (fetch)\norigin\thttps://jsmith:{k}@bitbucket.org/acme/infra.git (push)\n", k)

k = "ghp_" + rs(36)
secret("cat/npmrc", True, T("""registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=«k»
always-auth=true
""", k=k), k)

k = "npm_" + rs(36)
secret("npm-config-list", True, T("""; "user" config from /home/dev/.npmrc

//registry.npmjs.org/:_authToken = "«k»"
fund = false

; node bin location = /usr/local/bin/node
; node version = v20.14.0
; npm local prefix = /workspace/web
; npm version = 10.7.0
; cwd = /workspace/web
; HOME = /home/dev
; Run `npm config ls -l` to show all defaults.
""", k=k), k)

p = urlpw(20)
secret("pip-config-list", True, f"global.extra-index-url='https://ci-reader:{p}@nexus.corp.example/repository/pypi-internal/simple'\nglobal.timeout='60'\n", p)

t = rs(180, B64URL)
secret("cat/pip-conf-codeartifact", True, f"[global]\nindex-url = https://aws:{t}@acme-123456789012.d.codeartifact.us-east-1.amazonaws.com/pypi/internal/simple/\n", t)

# ---------------------------------------------------------------------------------------------
# HTTP request / response dumps
# ---------------------------------------------------------------------------------------------

k = "sk-" + rs(48)
secret("curl-v/authorization-bearer", True, T("""*   Trying 104.18.7.192:443...
* Connected to api.openai.com (104.18.7.192) port 443
* ALPN: server accepted h2
> GET /v1/models HTTP/2
> Host: api.openai.com
> user-agent: curl/8.4.0
> accept: */*
> authorization: Bearer «k»
>
< HTTP/2 200
< content-type: application/json
< openai-processing-ms: 38
""", k=k), k)

k = rs(40)
secret("http-raw/x-api-key", True, f"POST /api/v2/query HTTP/1.1\r\nHost: metrics.vendor.io\r\nContent-Type: application/json\r\nX-API-Key: {k}\r\nContent-Length: 51\r\n\r\n{{\"query\":\"avg:system.cpu.user{{*}}\",\"from\":\"-1h\"}}", k)

rt = rs(64, B64URL)
secret("http-response/oauth-token", True, T("""HTTP/1.1 200 OK
Content-Type: application/json;charset=UTF-8
Cache-Control: no-store
Pragma: no-cache

{"access_token":"«at»","token_type":"Bearer","expires_in":3600,"refresh_token":"«rt»","scope":"read write"}""", at=rs(48, B64URL), rt=rt), rt)

sid = rs(32, LOWER_ALNUM)
secret("http-response/set-cookie", True, f"HTTP/1.1 302 Found\nLocation: /dashboard\nSet-Cookie: sessionid={sid}; expires=Wed, 26 Jun 2024 10:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure\nSet-Cookie: theme=dark; Path=/\nContent-Length: 0\n", sid)

c = "s%3A" + rs(32, B64URL) + "." + rs(43, B64URL)
secret("http-request/cookie-connect-sid", True, f"GET /api/me HTTP/1.1\nHost: app.acme.dev\nAccept: application/json\nCookie: _ga=GA1.1.{R.randrange(10**9)}.{R.randrange(10**9)}; connect.sid={c}; lang=en\n", c)

v = base64.b64encode(f"svc-crawler:{pw(16)}".encode()).decode()
secret("http-request/proxy-authorization", True, f"CONNECT pypi.org:443 HTTP/1.1\nHost: pypi.org:443\nProxy-Authorization: Basic {v}\nUser-Agent: pip/24.0\n", v)

k = "ghp_" + rs(36)
secret("python-http-debug/token-header", True, f"send: b'GET /repos/acme/agent/pulls?state=open HTTP/1.1\\r\\nHost: api.github.com\\r\\nUser-Agent: python-requests/2.31.0\\r\\nAccept-Encoding: gzip, deflate\\r\\nAccept: application/vnd.github+json\\r\\nConnection: keep-alive\\r\\nAuthorization: token {k}\\r\\n\\r\\n'\nreply: 'HTTP/1.1 200 OK\\r\\n'\n", k)

j = jwt("RS256", {"aud": "api://orders", "scp": "orders.read"}, 256, kid=hexs(16))
secret("har/header-name-value", True, jd({"request": {"method": "GET", "url": "https://orders.acme.dev/api/orders?limit=20",
    "headers": [{"name": "Accept", "value": "application/json"},
                {"name": "Authorization", "value": "Bearer " + j},
                {"name": "User-Agent", "value": "Mozilla/5.0"}]}}, 2), j)

cs = rs(40, ALNUM + "~._-")
secret("http-response/oauth-app-client-secret", True, jd({"id": R.randrange(10**6), "name": "agent-integration", "client_id": "Iv1." + hexs(16),
    "client_secret": cs, "redirect_uris": ["https://agent.acme.dev/callback"], "created_at": "2024-06-10T12:00:00Z"}), cs)

h = hexs(40)
secret("http-request/x-auth-token", True, f"PUT /v3/projects/9f1c/servers HTTP/1.1\nHost: compute.cloud.example\nX-Auth-Token: {h}\nContent-Type: application/json\n", h)

# ---------------------------------------------------------------------------------------------
# Stack traces and logs that print config objects
# ---------------------------------------------------------------------------------------------

k = rs(32)
secret("python-traceback/settings-repr", True, T("""Traceback (most recent call last):
  File "/app/worker.py", line 88, in <module>
    main(settings)
  File "/app/worker.py", line 41, in main
    client = VectorClient(settings.vector_url, settings.api_key)
  File "/app/vector.py", line 17, in __init__
    raise ConnectionError(f"cannot reach {url}")
ConnectionError: cannot reach https://vectors.internal:6333

settings = Settings(vector_url='https://vectors.internal:6333', api_key='«k»', batch_size=64, debug=False)
""", k=k), k)

h = hexs(64)
secret("python-log/dict-repr", True, f"2024-06-11 10:02:11,402 DEBUG llm.client: client config: {{'base_url': 'https://api.together.xyz/v1', 'api_key': '{h}', 'timeout': 60, 'max_retries': 2}}\n", h)

k = "sk-" + rs(48)
secret("python-repr/dataclass", True, f"OpenAIConfig(model='gpt-4o-mini', api_key='{k}', temperature=0.2, max_tokens=1024)", k)

p = pw(18)
secret("rust-debug/compact", True, f"Error: connection refused: Config {{ host: \"db.internal\", port: 5432, user: \"app\", password: \"{p}\", dbname: \"app\", sslmode: Require }}\n", p)

k = rs(48, B64URL)
secret("rust-debug/pretty-panic", True, T("""thread 'main' panicked at src/main.rs:42:10:
called `Result::unwrap()` on an `Err` value: Unauthorized(
    ClientConfig {
        endpoint: "https://search.vendor.io/v1",
        api_key: "«k»",
        retries: 3,
        timeout: 30s,
    },
)
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace
""", k=k), k)

t = rs(40, B64URL)
secret("rust-debug/option-some", True, f"[2024-06-11T10:11:12Z ERROR agent::slack] post failed: Settings {{ channel: \"#ops\", bot_token: Some(\"{t}\"), retry: true }}", t)

p = pw(20)
secret("java-tostring/quoted", True, T("""org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'dataSource'
Caused by: java.sql.SQLException: Access denied; props=DataSourceProperties{url='jdbc:postgresql://db:5432/app', username='app', password='«p»', driverClassName='org.postgresql.Driver'}
	at com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:596)
	at com.zaxxer.hikari.pool.HikariPool.<init>(HikariPool.java:582)
""", p=p), p)

p = pw(16)
secret("java-lombok-tostring/unquoted", True, f"WARN  c.a.mail.Mailer - SMTP send failed (535 5.7.8) for SmtpConfig(host=smtp.mailgun.org, port=587, username=postmaster@mg.acme.dev, password={p}, starttls=true)\n", p)

cs = rs(34, ALNUM + "~._-")
secret("js-console-log/object", True, T("""{
  clientId: '«cid»',
  clientSecret: '«cs»',
  redirectUri: 'http://localhost:3000/api/auth/callback/google',
  scopes: [ 'openid', 'email', 'profile' ]
}
""", cid=f"{R.randrange(10**11, 10**12)}-{rs(32, LOWER_ALNUM)}.apps.googleusercontent.com", cs=cs), cs)

t = rs(40, B64URL)
secret("js-axios-error/headers", True, T("""AxiosError: Request failed with status code 401
    at settle (/app/node_modules/axios/lib/core/settle.js:19:12)
    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/lib/adapters/http.js:589:11) {
  code: 'ERR_BAD_REQUEST',
  config: {
    method: 'post',
    url: 'https://api.linear.app/graphql',
    headers: Object [AxiosHeaders] {
      Accept: 'application/json, text/plain, */*',
      'Content-Type': 'application/json',
      Authorization: 'Bearer «t»',
      'User-Agent': 'axios/1.6.8'
    }
  }
}
""", t=t), t)

p = urlpw(18)
secret("go-printf-plusv", True, f"2024/06/11 10:14:03 db: ping failed: dial tcp 10.0.3.7:5432: i/o timeout (cfg=&{{Host:db.internal Port:5432 User:app Password:{p} SSLMode:require MaxConns:20}})\n", p)

p = pw(14)
secret("php-var-dump", True, T("""array(3) {
  ["host"]=>
  string(9) "localhost"
  ["username"]=>
  string(5) "admin"
  ["password"]=>
  string(«n») "«p»"
}
""", n=len(p), p=p), p)

p = pw(16)
secret("ruby-inspect", True, f"#<struct RedisConfig host=\"cache.internal\", port=6379, password=\"{p}\", db=2>", p)

p = pw(18)
secret("elixir-inspect", True, f"** (DBConnection.ConnectionError) connection not available: %MyApp.Repo.Config{{hostname: \"db\", username: \"postgres\", password: \"{p}\", pool_size: 10}}", p)

p = pw(16)
secret("pytest-locals", True, T("""    def test_login(client):
        username = "qa-bot"
        password = "«p»"
>       resp = client.post("/login", data={"u": username, "p": password})
E       AssertionError: expected 302, got 500

client     = <FlaskClient <Flask 'app'>>
password   = '«p»'
username   = 'qa-bot'

tests/test_auth.py:14: AssertionError
""", p=p), p)

# ---------------------------------------------------------------------------------------------
# LLM messages where a user pastes credentials
# ---------------------------------------------------------------------------------------------

k = "sk-ant-api03-" + rs(93, B64URL) + "AA"
secret("chat/user-pastes-anthropic-key", True, f"hey can you figure out why my script returns 401? I'm using {k} and the model claude-3-5-sonnet-20240620", k)

p = pw(14)
secret("chat/admin-password-is", True, f"The admin password is {p} — please log into the dashboard and check why the nightly export failed.", p)

k = "xoxb-" + f"{R.randrange(10**11, 10**12)}-{R.randrange(10**12, 10**13)}-" + rs(24)
secret("chat/slack-bot-token", True, f"here's our slack bot token {k} — use it to post the summary to #alerts every morning", k)

p = pw(16)
secret("chat/login-passwd", True, f"ok the box is 10.0.4.12, login: deploy / passwd: {p}\nrun the migration and tell me the output", p)

pk_text, pk_line = pem("PRIVATE KEY", 1190, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")
secret("chat/gcp-json-pasted", True, "Here is the service account JSON, set it up for the BigQuery tool:\n\n" + jd({
    "type": "service_account", "project_id": "acme-analytics", "private_key_id": hexs(40),
    "private_key": pk_text, "client_email": "agent@acme-analytics.iam.gserviceaccount.com",
    "client_id": str(R.randrange(10**20, 10**21)), "token_uri": "https://oauth2.googleapis.com/token"}, 2), pk_line)

k = "ghp_" + rs(36)
secret("chat/assistant-echoes-token", True, f"Sure — I'll use the token `{k}` to open the pull request against `main` and request review from @dana.", k)

p = pw(15)
secret("chat/german-passwort", True, f"Kannst du dich bitte auf dem Server anmelden? Benutzer ist root, das Passwort lautet {p}", p)

p = pw(14)
secret("chat/french-mot-de-passe", True, f"Le mot de passe du wifi invités : {p} (à changer tous les mois)", p)

s = rs(40, ALNUM + "/+")
secret("chat/credentials-list", True, f"Creds for the staging bucket:\n- access key: {aws_key_id()}\n- secret: {s}\n- region: eu-central-1", s)

h = hexs(32)
secret("chat/api-key-for-service", True, f"api key for weatherapi is {h}, get me the forecast for Lisbon", h)

p = pw(18)
secret("chat/spanish-contrasena", True, f"La contraseña de la base de datos es {p}, úsala solo para leer.", p)

# ---------------------------------------------------------------------------------------------
# JSON tool-call arguments
# ---------------------------------------------------------------------------------------------

t = rs(48, B64URL)
secret("tool-args/http-request-headers", True, jd({"url": "https://api.notion.com/v1/search", "method": "POST",
    "headers": {"Authorization": "Bearer " + t, "Notion-Version": "2022-06-28"}, "body": {"query": "roadmap"}}), t)

p = pw(16)
secret("tool-args/openai-arguments-string", True, jd({"id": "call_" + rs(24), "type": "function", "function": {
    "name": "login_to_portal", "arguments": jd({"username": "admin", "password": p, "remember": True})}}), p)

p = pw(12)
secret("tool-args/mysql-dash-p", True, jd({"name": "run_shell", "arguments": {"command": f"mysql -h db.internal -u root -p{p} -e 'SHOW DATABASES'"}}), p)

p = pw(16)
secret("tool-args/pgpassword-env", True, jd({"name": "run_shell", "arguments": {"command": f"PGPASSWORD={p} psql -h db.internal -U app -d app -c 'select count(*) from orders'"}}), p)

p = pw(16)
secret("tool-args/curl-u", True, jd({"name": "bash", "arguments": {"cmd": f"curl -s -u admin:{p} https://jenkins.internal/api/json?tree=jobs[name,color]"}}), p)

p = pw(16)
secret("tool-args/sshpass", True, jd({"tool": "terminal", "input": {"command": f"sshpass -p '{p}' ssh -o StrictHostKeyChecking=no deploy@10.0.0.5 uptime"}}), p)

p = pw(20)
secret("tool-args/docker-login-p", True, jd({"name": "shell", "arguments": {"command": f"docker login -u ci -p {p} registry.acme.io"}}), p)

p = pw(18)
secret("tool-args/key-value-pair", True, jd({"name": "set_secret", "arguments": {"key": "DB_PASSWORD", "value": p, "environment": "staging"}}), p)

p = pw(16)
secret("tool-args/smtp-pass", True, jd({"name": "send_email", "arguments": {"to": "ops@acme.dev", "subject": "Weekly report",
    "smtp": {"host": "smtp.fastmail.com", "port": 465, "user": "bot@acme.dev", "pass": p}}}), p)

t = rs(40, B64URL)
secret("tool-args/anthropic-tool-use", True, jd({"type": "tool_use", "id": "toolu_01" + rs(22), "name": "configure_integration",
    "input": {"provider": "pagerduty", "api_token": t}}), t)

k = "github_pat_" + rs(22) + "_" + rs(59)
secret("tool-args/mcp-tools-call", True, jd({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
    "name": "github_create_issue", "arguments": {"repo": "acme/agent", "title": "Flaky test", "token": k}}}), k)

# ---------------------------------------------------------------------------------------------
# Connection strings of databases and brokers
# ---------------------------------------------------------------------------------------------

p = urlpw(20)
secret("conn/postgres-log", True, f"INFO  [pool] connecting to postgres://analytics:{p}@{ip()}:5432/warehouse?sslmode=require (attempt 2/5)", p)

p = urlpw(18)
secret("conn/sqlalchemy-code", True, f'engine = create_engine("postgresql+psycopg2://reporter:{p}@pg.internal/reports", pool_pre_ping=True)\n', p)

p = urlpw(16)
secret("conn/mysql-url", True, f"  DSN: mysql://root:{p}@127.0.0.1:3306/shop?charset=utf8mb4", p)

p = urlpw(18)
secret("conn/jdbc-mysql-query-password", True, f"spring.datasource.url=jdbc:mysql://mysql-0.mysql:3306/app?user=app&password={p}&useSSL=true&serverTimezone=UTC", p)

p = pw(20)
secret("conn/mssql-password", True, f"Server=tcp:sql-prod.database.windows.net,1433;Initial Catalog=orders;Persist Security Info=False;User ID=sqladmin;Password={p};MultipleActiveResultSets=False;Encrypt=True;Connection Timeout=30;", p)

p = pw(16)
secret("conn/mssql-pwd", True, f"Driver={{ODBC Driver 18 for SQL Server}};Data Source=10.1.2.3\\SQLEXPRESS;Uid=sa;Pwd={p};Database=inventory;", p)

p = urlpw(14)
secret("conn/oracle-sqlplus", True, f"$ sqlplus system/{p}@//ora-db.internal:1521/ORCLPDB1\n\nSQL*Plus: Release 19.0.0.0.0 - Production\nConnected to:\nOracle Database 19c Enterprise Edition\n", p)

p = urlpw(14)
secret("conn/oracle-jdbc-thin", True, f"jdbc:oracle:thin:scott/{p}@db-host.internal:1521:ORCL", p)

p = urlpw(20)
secret("conn/mongodb-srv", True, f"MONGO_URI=mongodb+srv://app:{p}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true&w=majority", p)

p = urlpw(18)
secret("conn/mongodb-replica", True, f"pymongo.errors.ServerSelectionTimeoutError: mongo-2:27017: timed out (uri: mongodb://admin:{p}@mongo-0:27017,mongo-1:27017,mongo-2:27017/?replicaSet=rs0&authSource=admin)", p)

p = urlpw(32)
secret("conn/rediss-upstash", True, f"const redis = new Redis(\"rediss://default:{p}@eu1-witty-fox-31337.upstash.io:6379\");", p)

p = pw(20)
secret("conn/redis-cli-a", True, f"$ redis-cli -h cache.internal -a '{p}' --no-auth-warning INFO keyspace\n# Keyspace\ndb0:keys=1832,expires=1200,avg_ttl=284112\n", p)

p = urlpw(18)
secret("conn/amqp-celery", True, f"celery -A tasks worker --loglevel=INFO\n[config]\n.> app:         tasks:0x7f3c\n.> transport:   amqp://celery:{p}@rabbitmq:5672//\n.> results:     redis://redis:6379/1\n", p)

p = pw(20)
secret("conn/kafka-sasl-plain", True, f"bootstrap.servers=kafka-0.kafka:9093\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc-orders\" password=\"{p}\";\n", p)

s = rs(64, ALNUM + "+/")
secret("conn/kafka-confluent-cloud", True, f"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='{rs(16, UPPER_ALNUM)}' password='{s}';", s)

p = urlpw(20)
secret("conn/elasticsearch-url", True, f"ELASTICSEARCH_HOSTS=https://elastic:{p}@es-master.internal:9200", p)

v = base64.b64encode(f"{rs(20, B64URL)}:{rs(22, B64URL)}".encode()).decode()
secret("conn/elasticsearch-apikey-header", True, f"curl -s -H \"Authorization: ApiKey {v}\" https://es.internal:9200/_cat/indices?v", v)

p = pw(18)
secret("conn/clickhouse-client", True, f"clickhouse-client --host ch.internal --user default --password '{p}' --query \"SELECT count() FROM events\"", p)

p = urlpw(20)
secret("conn/clickhouse-url", True, f"CLICKHOUSE_URL=clickhouse://default:{p}@ch-0.ch:9000/analytics", p)

p = urlpw(18)
secret("conn/snowflake-url", True, f"snowflake://analyst:{p}@xy12345.us-east-1/analytics/public?warehouse=COMPUTE_WH&role=ANALYST", p)

p = pw(18)
secret("conn/snowflake-connections-toml", True, f"[connections.prod]\naccount = \"xy12345.us-east-1\"\nuser = \"etl_service\"\npassword = \"{p}\"\nwarehouse = \"ETL_WH\"\n", p)

p = pw(14)
secret("conn/cqlsh", True, f"cqlsh cassandra-0.cassandra 9042 -u cassandra -p {p} -e \"DESCRIBE KEYSPACES\"", p)

p = urlpw(16)
secret("conn/neo4j-auth", True, f"docker run -d -p 7474:7474 -p 7687:7687 -e NEO4J_AUTH=neo4j/{p} neo4j:5", p)

t = b64(64)
secret("conn/influx-token", True, f"INFLUX_HOST=https://us-east-1-1.aws.cloud2.influxdata.com\nINFLUX_TOKEN={t}\nINFLUX_ORG=acme\n", t)

p = pw(16)
secret("conn/npgsql-appsettings", True, jd({"Logging": {"LogLevel": {"Default": "Information"}},
    "ConnectionStrings": {"Default": f"Host=pg.internal;Port=5432;Database=crm;Username=crm_app;Password={p}"}}, 2), p)

p = urlpw(18)
p_enc = p[:6] + "%40" + p[6:12] + "%23" + p[12:]
secret("conn/percent-encoded-password", True, f"postgres://app:{p_enc}@db.internal:5432/app", p_enc)

# ---------------------------------------------------------------------------------------------
# Cloud credentials
# ---------------------------------------------------------------------------------------------

pk_text, pk_line = pem("PRIVATE KEY", 1190, "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC")
secret("gcp/service-account-json", True, jd({
    "type": "service_account", "project_id": "agent-prod-4411", "private_key_id": hexs(40),
    "private_key": pk_text, "client_email": "tracing@agent-prod-4411.iam.gserviceaccount.com",
    "client_id": str(R.randrange(10**20, 10**21)), "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs"}, 2), pk_line)

cs = rs(3) + str(R.randrange(10)) + "Q~" + rs(34, ALNUM + "_-.~")
secret("azure/client-secret-env", True, f"AZURE_TENANT_ID={uid()}\nAZURE_CLIENT_ID={uid()}\nAZURE_CLIENT_SECRET={cs}\n", cs)

cs = rs(3) + str(R.randrange(10)) + "Q~" + rs(34, ALNUM + "_-.~")
secret("azure/create-for-rbac-json", True, jd({"appId": uid(), "displayName": "agent-deployer", "password": cs, "tenant": uid()}, 2), cs)

ak = b64(64)
secret("azure/storage-connstring", True, f"AZURE_STORAGE_CONNECTION_STRING=\"DefaultEndpointsProtocol=https;AccountName=acmeagentlogs;AccountKey={ak};EndpointSuffix=core.windows.net\"", ak)

sig = b64(32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
secret("azure/sas-url", True, f"Download the export here: https://acmeexports.blob.core.windows.net/exports/2024-06/users.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-07-01T00:00:00Z&st=2024-06-11T00:00:00Z&spr=https&sig={sig}", sig)

sak = b64(32)
secret("azure/servicebus-connstring", True, f"Endpoint=sb://acme-events.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={sak}", sak)

pat = rs(52, LOWER_ALNUM)
secret("azure/devops-pat-in-url", True, f"fatal: unable to access 'https://build:{pat}@dev.azure.com/acme/platform/_git/api/': The requested URL returned error: 403", pat)

h = hexs(32)
secret("azure/openai-api-key-header", True, f"POST https://acme-oai.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-02-01\napi-key: {h}\nContent-Type: application/json\n", h)

# ---------------------------------------------------------------------------------------------
# SaaS and AI provider keys of many formats
# ---------------------------------------------------------------------------------------------

k = "AIza" + rs(35, B64URL)
secret("key/google-in-url-query", True, f"GET https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:generateContent?key={k} -> 429 RESOURCE_EXHAUSTED", k)

k = "gsk_" + rs(52)
secret("key/groq-in-code", True, f"from groq import Groq\n\nclient = Groq(api_key=\"{k}\")\nresp = client.chat.completions.create(model=\"llama3-70b-8192\", messages=msgs)\n", k)

k = "r8_" + rs(37)
secret("key/replicate-env", True, f"REPLICATE_API_TOKEN={k}", k)

k = "pplx-" + rs(48)
secret("key/perplexity-curl", True, f"curl https://api.perplexity.ai/chat/completions -H 'Authorization: Bearer {k}' -H 'Content-Type: application/json' -d @req.json", k)

k = "xai-" + rs(80)
secret("key/xai-toml", True, f"[providers.xai]\nbase_url = \"https://api.x.ai/v1\"\napi_key = \"{k}\"\nmodel = \"grok-beta\"\n", k)

k = "pcsk_" + rs(5) + "_" + rs(60)
secret("key/pinecone-yaml", True, f"vector_store:\n  provider: pinecone\n  index: docs-prod\n  api_key: {k}\n", k)

k = "lsv2_pt_" + hexs(32) + "_" + hexs(10)
secret("key/langsmith-env", True, f"LANGCHAIN_TRACING_V2=true\nLANGCHAIN_ENDPOINT=https://api.smith.langchain.com\nLANGCHAIN_API_KEY={k}\nLANGCHAIN_PROJECT=agent-evals\n", k)

k = "xoxp-" + "-".join(str(R.randrange(10**11, 10**12)) for _ in range(3)) + "-" + hexs(32)
secret("key/slack-user-token-log", True, f"[WARN] slack_sdk.web.base_client: Received a response in a non-JSON format (token={k}, method=chat.postMessage)", k)

k = "xapp-1-A" + rs(10, UPPER_ALNUM) + "-" + str(R.randrange(10**12, 10**13)) + "-" + hexs(64)
secret("key/slack-app-token", True, f"SLACK_APP_TOKEN={k}\nSLACK_SOCKET_MODE=true", k)

k = "rk_live_" + rs(99)
secret("key/stripe-restricted-json", True, jd({"stripe": {"mode": "live", "restricted_key": k, "account": "acct_" + rs(16)}}), k)

k = "whsec_" + rs(32)
secret("key/stripe-webhook-secret", True, f"> Ready! You are using Stripe API Version [2024-04-10]. Your webhook signing secret is {k} (^C to quit)", k)

k = "SG." + rs(22, B64URL) + "." + rs(43, B64URL)
secret("key/sendgrid", True, f"sendgrid.api_key = '{k}'", k)

h = hexs(32)
secret("key/twilio-auth-token", True, f"TWILIO_ACCOUNT_SID=AC{hexs(32)}\nTWILIO_AUTH_TOKEN={h}\nTWILIO_FROM=+15005550006\n", h)

k = "shpat_" + hexs(32)
secret("key/shopify-admin", True, f"X-Shopify-Access-Token: {k}", k)

k = "ATATT3xFfGF0" + rs(170, B64URL) + "=" + hexs(8).upper()
secret("key/atlassian-api-token", True, f"JIRA_URL=https://acme.atlassian.net\nJIRA_USER=bot@acme.dev\nJIRA_API_TOKEN={k}", k)

h = hexs(32)
secret("key/datadog-helm-values", True, f"datadog:\n  site: datadoghq.eu\n  apiKey: {h}\n  appKey: {hexs(40)}\n  logs:\n    enabled: true\n", h)

k = "NRAK-" + rs(27, UPPER_ALNUM)
secret("key/newrelic", True, f"newrelic: using key {k} for account 3311402", k)

k = "sntrys_" + b64url(120)
secret("key/sentry-clirc", True, f"[defaults]\norg=acme\nproject=agent\n\n[auth]\ntoken={k}\n", k)

k = "hvs.CAESI" + rs(86, B64URL)
secret("key/vault-login-table", True, T("""Success! You are now authenticated. The token information displayed below
is already stored in the token helper. You do NOT need to run "vault login"
again. Future Vault requests will automatically use this token.

Key                  Value
---                  -----
token                «k»
token_accessor       «a»
token_duration       768h
token_renewable      true
token_policies       ["default" "deployer"]
""", k=k, a=rs(24)), k)

k = "dp.st.prd." + rs(43)
secret("key/doppler", True, f"DOPPLER_TOKEN=\"{k}\" doppler run -- ./start.sh", k)

k = "ntn_" + rs(46)
secret("key/notion", True, f"notion = Client(auth=\"{k}\")", k)

k = "dop_v1_" + hexs(64)
secret("key/digitalocean", True, f"doctl auth init --access-token {k}", k)

k = f"{R.randrange(10**9, 10**10)}:AA" + rs(33, B64URL)
secret("key/telegram-bot-url", True, f"requests.exceptions.HTTPError: 409 Client Error: Conflict for url: https://api.telegram.org/bot{k}/getUpdates", k)

k = rs(24, B64URL) + "." + rs(6, B64URL) + "." + rs(38, B64URL)
secret("key/discord-bot-run", True, f"bot = commands.Bot(command_prefix='!', intents=intents)\nbot.run('{k}')\n", k)

k = "lin_api_" + rs(40)
secret("key/linear", True, f"LINEAR_API_KEY={k}", k)

k = "PMAK-" + hexs(24) + "-" + hexs(34)
secret("key/postman", True, f"newman run collection.json --env-var \"postman_api_key={k}\"", k)

k = "dapi" + hexs(32)
secret("key/databricks-cfg", True, f"[DEFAULT]\nhost  = https://adb-{R.randrange(10**15, 10**16)}.12.azuredatabricks.net\ntoken = {k}\n", k)

k = "pypi-AgEIcHlwaS5vcmc" + rs(150, B64URL)
secret("key/pypi-pypirc", True, f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {k}\n", k)

k = rs(40, B64URL)
secret("key/cloudflare-env", True, f"CLOUDFLARE_ACCOUNT_ID={hexs(32)}\nCLOUDFLARE_API_TOKEN={k}", k)

k = "glrt-" + rs(20, B64URL)
secret("key/gitlab-runner-token", True, f"gitlab-runner register --non-interactive --url https://gitlab.com --token {k} --executor docker", k)

k = "sk-or-v1-" + hexs(64)
secret("key/openrouter", True, f"OPENROUTER_API_KEY={k}", k)

k = "sk-" + hexs(32)
secret("key/deepseek-code", True, f"client = OpenAI(api_key=\"{k}\", base_url=\"https://api.deepseek.com\")", k)

k = "fw_" + rs(24)
secret("key/fireworks", True, f"export FIREWORKS_API_KEY={k}", k)

k = "tvly-" + rs(32)
secret("key/tavily-tool-config", True, jd({"tools": [{"type": "tavily_search", "max_results": 5, "api_key": k}]}), k)

k = "sk_" + hexs(48)
secret("key/elevenlabs-header", True, f"xi-api-key: {k}", k)

# ---------------------------------------------------------------------------------------------
# SSH / PGP / PEM keys
# ---------------------------------------------------------------------------------------------

text, line = pem("OPENSSH PRIVATE KEY", 399, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW")
secret("pem/openssh-cat", True, "$ cat ~/.ssh/id_ed25519\n" + text, line)

text, line = pem("RSA PRIVATE KEY", 1190, "MIIEpAIBAAKCAQEA")
secret("pem/rsa-in-k8s-tls-yaml", True, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ingress-tls\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIDazCCAlOgAwIBAgIU...\n    -----END CERTIFICATE-----\n  tls.key: |\n" + "".join("    " + l + "\n" for l in text.splitlines()), line)

text, line = pem("EC PRIVATE KEY", 121, "MHcCAQEEI")
secret("pem/ec", True, text, line)

text, line = pem("PGP PRIVATE KEY BLOCK", 1800, "lQVYBGZ")
text = text.replace("-----\n", "-----\n\n", 1)
secret("pem/pgp-private", True, "gpg --export-secret-keys --armor ops@acme.dev\n" + text, line)

text, line = pem("RSA PRIVATE KEY", 1190, "MIIEowIBAAKCAQEA")
secret("pem/terraform-output-json-escaped", True, jd({"private_key_pem": {"sensitive": True, "type": "string", "value": text}}), line)

priv = b64(48)
secret("pem/putty-ppk", True, T("""PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: deploy@bastion
Public-Lines: 2
AAAAC3NzaC1lZDI1NTE5AAAAI«pub»
«pub2»
Private-Lines: 1
«priv»
Private-MAC: «mac»
""", pub=rs(30), pub2=rs(20), priv=priv, mac=hexs(64)), priv)

# ---------------------------------------------------------------------------------------------
# JWTs, OAuth refresh tokens
# ---------------------------------------------------------------------------------------------

j = jwt("RS256", {"iss": "https://auth.acme.dev/", "aud": "agent-api", "scope": "tools:run"}, 256, kid=rs(20))
secret("jwt/authorization-header-log", True, f"127.0.0.1 - - [11/Jun/2024:10:22:01 +0000] \"POST /v1/run HTTP/1.1\" 200 512 \"-\" \"agent/0.4\" auth=\"Bearer {j}\"", j)

j = jwt("HS256", {"email": "dana@acme.dev", "role": "admin"})
secret("jwt/bare-in-chat", True, f"use this one, the old one expired: {j}", j)

j = jwt("HS256", {"iss": "supabase", "role": "service_role", "ref": rs(20, string.ascii_lowercase)})
secret("jwt/supabase-service-role", True, f"SUPABASE_URL=https://{rs(20, string.ascii_lowercase)}.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={j}\n", j)

j = jwt("HS256", {"room": "standup", "grants": ["publish"]})
secret("jwt/in-url-query", True, f"Join link: https://meet.acme.dev/rtc/join?room=standup&token={j}", j)

rt = "1//0g" + rs(98, B64URL)
secret("oauth/google-token-json", True, jd({"token": "ya29." + rs(150, B64URL), "refresh_token": rt,
    "token_uri": "https://oauth2.googleapis.com/token", "client_id": f"{R.randrange(10**11, 10**12)}-{rs(32, LOWER_ALNUM)}.apps.googleusercontent.com",
    "client_secret": "GOCSPX-" + rs(28, B64URL), "scopes": ["https://www.googleapis.com/auth/gmail.readonly"], "expiry": "2024-06-11T11:05:12Z"}), rt)

rt = rs(54, B64URL)
secret("oauth/refresh-form-body", True, f"POST /oauth/token HTTP/1.1\nHost: login.vendor.io\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=refresh_token&refresh_token={rt}&client_id=agent-cli", rt)

rt = "0.A" + rs(300, B64URL)
secret("oauth/msal-cache-secret", True, jd({"RefreshToken": {f"{uid()}.{uid()}-login.microsoftonline.com-refreshtoken-{uid()}--": {
    "home_account_id": f"{uid()}.{uid()}", "environment": "login.microsoftonline.com", "credential_type": "RefreshToken",
    "client_id": uid(), "secret": rt}}}, 1), rt)

tok = "ya29." + rs(150, B64URL)
secret("oauth/google-access-token-bare", True, f"token: {tok}", tok)

# ---------------------------------------------------------------------------------------------
# Webhook URLs, signed URLs, basic auth in URLs
# ---------------------------------------------------------------------------------------------

wt = rs(24)
secret("webhook/slack", True, f"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T{rs(8, UPPER_ALNUM)}/B{rs(10, UPPER_ALNUM)}/{wt}", wt)

wt = rs(68, B64URL)
secret("webhook/discord", True, f"Posting deploy notice to https://discord.com/api/webhooks/{R.randrange(10**17, 10**18)}/{wt} ...done", wt)

wt = hexs(32)
secret("webhook/teams", True, f"https://acme.webhook.office.com/webhookb2/{uid()}@{uid()}/IncomingWebhook/{wt}/{uid()}/V2{rs(40)}", wt)

wt = rs(32, B64URL)
secret("webhook/generic-token-query", True, f"Configured alert destination: https://ingest.alerts.example/webhooks/v1/events?token={wt}&source=grafana", wt)

sig = hexs(64)
secret("signed-url/s3-presigned", True, f"https://acme-artifacts.s3.eu-west-1.amazonaws.com/builds/agent-0.4.2.tar.gz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={aws_key_id('ASIA')}%2F20240611%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20240611T101500Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={sig}", sig)

sig = hexs(512)
secret("signed-url/gcs", True, f"Signed URL (valid 15 min): https://storage.googleapis.com/acme-reports/q2.pdf?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=reports%40acme.iam.gserviceaccount.com%2F20240611%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20240611T101500Z&X-Goog-Expires=900&X-Goog-SignedHeaders=host&X-Goog-Signature={sig}", sig)

sig = rs(340, ALNUM + "-~_")
secret("signed-url/cloudfront", True, f"https://d111111abcdef8.cloudfront.net/videos/intro.mp4?Expires=1718102400&Signature={sig}&Key-Pair-Id=K{rs(13, UPPER_ALNUM)}", sig)

p = urlpw(18)
secret("basic-auth-url/grafana", True, f"curl -s https://admin:{p}@grafana.internal:3000/api/dashboards/uid/agent-latency | jq .dashboard.title", p)

p = urlpw(14)
secret("basic-auth-url/ftp", True, f"wget -r ftp://backup:{p}@ftp.acme.dev/nightly/", p)

p = urlpw(16)
secret("basic-auth-url/https-proxy", True, f"HTTPS_PROXY=http://corp%5Cjdoe:{p}@proxy.corp.local:8080\nNO_PROXY=localhost,127.0.0.1,.corp.local\n", p)

k = "SG." + rs(22, B64URL) + "." + rs(43, B64URL)
secret("basic-auth-url/smtp-sendgrid", True, f"EMAIL_URL=smtp+tls://apikey:{k}@smtp.sendgrid.net:587", k)

# ---------------------------------------------------------------------------------------------
# Credential files
# ---------------------------------------------------------------------------------------------

p = pw(18)
secret("netrc/ftp", True, f"machine ftp.acme.dev\n  login backup\n  password {p}\n\nmachine api.example.com login ci password-file /run/ci\n", p)

u = uid()
secret("netrc/heroku", True, f"machine api.heroku.com\n  login dev@acme.dev\n  password {u}\nmachine git.heroku.com\n  login dev@acme.dev\n  password {u}\n", u)

p = pw(20).replace(":", "")
secret("pgpass", True, f"# hostname:port:database:username:password\ndb.internal:5432:app:app_rw:{p}\n*:5432:*:readonly:{pw(16)}\n", p)

p = urlpw(20)
secret("git-credentials", True, f"https://jdoe:{'ghp_' + rs(36)}@github.com\nhttps://jdoe:{p}@gitlab.internal.acme.dev\n", p)

v = base64.b64encode(f"ci-bot:{pw(20)}".encode()).decode()
secret("docker-config-json/auths", True, jd({"auths": {"https://index.docker.io/v1/": {"auth": v}, "ghcr.io": {}},
    "credsStore": "", "HttpHeaders": {"User-Agent": "Docker-Client/24.0.7 (linux)"}}, 1), v)

it = rs(300, B64URL)
secret("docker-config-json/identitytoken", True, jd({"auths": {"acmeregistry.azurecr.io": {"auth": base64.b64encode(b"00000000-0000-0000-0000-000000000000:").decode(), "identitytoken": it}}}, 1), it)

hsh = "$apr1$" + rs(8, ALNUM + "./") + "$" + rs(22, ALNUM + "./")
secret("htpasswd/apr1", True, f"admin:{hsh}\n", hsh)

hsh = "$2y$05$" + rs(53, ALNUM + "./")
secret("htpasswd/bcrypt", True, f"$ cat /etc/nginx/.htpasswd\ndeploy:{hsh}\n", hsh)

hsh = "$6$" + rs(16, ALNUM + "./") + "$" + rs(86, ALNUM + "./")
secret("shadow-line", True, f"root:{hsh}:19722:0:99999:7:::\ndaemon:*:19722:0:99999:7:::\nbin:*:19722:0:99999:7:::\n", hsh)

vault_lines = [hexs(80) for _ in range(6)]
secret("ansible/vault-inline", True, "db_user: app\ndb_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n" + "".join("          " + l + "\n" for l in vault_lines), vault_lines[2])

vault_lines = [hexs(80) for _ in range(10)]
secret("ansible/vault-file", True, "$ANSIBLE_VAULT;1.1;AES256\n" + "\n".join(vault_lines) + "\n", vault_lines[5])

p = pw(16)
secret("ansible/become-password", True, f"all:\n  hosts:\n    web-01:\n      ansible_host: 10.0.1.11\n  vars:\n    ansible_user: ubuntu\n    ansible_become_password: {p}\n", p)

p = pw(20)
secret("terraform-state/db-instance", True, jd({"version": 4, "terraform_version": "1.8.4", "resources": [{"mode": "managed", "type": "aws_db_instance", "name": "main",
    "instances": [{"schema_version": 2, "attributes": {"identifier": "agent-prod", "engine": "postgres", "username": "dbadmin", "password": p, "port": 5432},
                   "sensitive_attributes": [[{"type": "get_attr", "value": "password"}]]}]}]}, 2), p)

p = pw(24)
secret("terraform-state/random-password-result", True, jd({"mode": "managed", "type": "random_password", "name": "db",
    "instances": [{"schema_version": 3, "attributes": {"id": "none", "length": 24, "special": True, "result": p, "bcrypt_hash": "$2a$10$" + rs(53, ALNUM + "./")}}]}, 2), p)

s = aws_secret()
secret("terraform-state/iam-access-key", True, jd({"type": "aws_iam_access_key", "name": "ci", "instances": [{"attributes": {
    "id": aws_key_id(), "user": "ci", "secret": s, "status": "Active", "ses_smtp_password_v4": rs(44, ALNUM + "+/")}}]}, 2), s)

p = pw(18)
secret("terraform-output-json", True, jd({"db_endpoint": {"sensitive": False, "type": "string", "value": "agent.abc123.eu-west-1.rds.amazonaws.com"},
    "db_password": {"sensitive": True, "type": "string", "value": p}}, 2), p)

# ---------------------------------------------------------------------------------------------
# Config files and code in many dialects
# ---------------------------------------------------------------------------------------------

p = pw(18)
secret("maven-settings-xml", True, f"<settings>\n  <servers>\n    <server>\n      <id>nexus-releases</id>\n      <username>deploy</username>\n      <password>{p}</password>\n    </server>\n  </servers>\n</settings>\n", p)

p = pw(22)
secret("web-config-appsettings", True, f"<appSettings>\n  <add key=\"PaymentGatewayUser\" value=\"acme-shop\" />\n  <add key=\"PaymentGatewaySecret\" value=\"{p}\" />\n</appSettings>\n", p)

p = pw(16)
secret("markdown-table-env", True, f"| Variable | Value |\n|---|---|\n| DB_HOST | db.internal |\n| DB_USER | app |\n| DB_PASSWORD | {p} |\n", p)

t = rs(40, B64URL)
secret("k8s-deployment-env-name-value", True, f"        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: API_TOKEN\n          value: \"{t}\"\n        - name: PORT\n          value: \"8080\"\n", t)

p = pw(18)
secret("ecs-task-def-name-value", True, jd({"containerDefinitions": [{"name": "api", "image": "acme/api:1.4", "environment": [
    {"name": "DB_HOST", "value": "db.internal"}, {"name": "DB_PASSWORD", "value": p}, {"name": "PORT", "value": "8080"}]}]}, 2), p)

p = pw(16).replace("'", "")
secret("sql/create-user-with-password", True, f"CREATE USER reporting WITH PASSWORD '{p}';\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;\n", p)

p = pw(16)
secret("sql/oracle-identified-by", True, f"ALTER USER app_owner IDENTIFIED BY \"{p}\" ACCOUNT UNLOCK;", p)

p = pw(16)
secret("sql/mysql-identified-by", True, f"mysql> CREATE USER 'grafana'@'%' IDENTIFIED BY '{p}';\nQuery OK, 0 rows affected (0.01 sec)\n", p)

at = rs(43, B64URL)
secret("url-fragment-implicit-grant", True, f"Redirected to https://agent.acme.dev/callback#access_token={at}&token_type=Bearer&expires_in=3599&scope=repo", at)

p = pw(18)
secret("spring-properties", True, f"spring.datasource.url=jdbc:postgresql://db:5432/app\nspring.datasource.username=app\nspring.datasource.password={p}\nspring.jpa.hibernate.ddl-auto=validate\n", p)

p = pw(20)
secret("docker-compose-env-list", True, f"services:\n  db:\n    image: mysql:8.4\n    environment:\n      - MYSQL_DATABASE=shop\n      - MYSQL_ROOT_PASSWORD={p}\n    ports:\n      - \"3306:3306\"\n", p)

p = pw(20)
secret("helm-values-rootpassword", True, f"auth:\n  enabled: true\n  rootPassword: \"{p}\"\n  replicaSetKey: \"\"\narchitecture: replicaset\n", p)

p = pw(18)
secret("toml-database-section", True, f"[server]\nport = 8080\n\n[database]\nhost = \"db.internal\"\nuser = \"svc\"\npassword = \"{p}\"\n", p)

p = pw(16)
secret("my-cnf", True, f"[client]\nuser = root\npassword = {p}\nhost = 127.0.0.1\n", p)

t = rs(40, B64URL)
secret("log/token-equals", True, f"2024-06-11T10:30:02.118Z INFO  gateway: upstream auth ok user=svc-indexer token={t} latency_ms=12", t)

k = rs(32, B64URL)
secret("ci-log/mask-failed", True, f"Run echo \"deploying with key $DEPLOY_KEY\"\ndeploying with key {k}\nDeploy finished in 41s\n", k)

p = pw(20)
secret("php-wp-config-define", True, f"define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '{p}' );\ndefine( 'DB_HOST', 'localhost' );\n", p)

k = "django-insecure-" + rs(50, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)")
secret("django-secret-key", True, f"# SECURITY WARNING: keep the secret key used in production secret!\nSECRET_KEY = '{k}'\n\nDEBUG = True\n", k)

h = hexs(128)
secret("rails-secret-key-base", True, f"$ bin/rails credentials:show\nsecret_key_base: {h}\naws:\n  region: eu-west-1\n", h)

k = rs(32, B64URL)
secret("flask-config", True, f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{k}'\napp.config['SESSION_COOKIE_SECURE'] = True\n", k)

k = "base64:" + b64(32)
secret("laravel-app-key", True, f"APP_NAME=Laravel\nAPP_ENV=production\nAPP_KEY={k}\nAPP_DEBUG=false\n", k)

p = pw(14)
secret("nmcli-show-password", True, f"SSID: Acme-Office\nSecurity: WPA\nPassword: {p}\n", p)

u = uid()
secret("consul-http-token", True, f"export CONSUL_HTTP_ADDR=https://consul.internal:8501\nexport CONSUL_HTTP_TOKEN={u}\n", u)

t = rs(64, B64URL)
secret("kubeconfig-user-token", True, f"apiVersion: v1\nclusters:\n- cluster:\n    server: https://10.96.0.1:6443\n  name: prod\ncontexts:\n- context:\n    cluster: prod\n    user: agent\n  name: prod\ncurrent-context: prod\nkind: Config\nusers:\n- name: agent\n  user:\n    token: {t}\n", t)

key_pem, _ = pem("RSA PRIVATE KEY", 1190, "MIIEpQIBAAKCAQEA")
v = base64.b64encode(key_pem.encode()).decode()
secret("kubeconfig-client-key-data", True, f"users:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: {base64.b64encode(b'-----BEGIN CERTIFICATE-----').decode()}{b64(60)}\n    client-key-data: {v}\n", v)

at = hexs(32)
secret("twilio-curl-u", True, f"curl -X POST https://api.twilio.com/2010-04-01/Accounts/AC{hexs(32)}/Messages.json -u AC{hexs(32)}:{at} --data-urlencode 'Body=hi'", at)

p = "correct-" + R.choice(["horse", "lamp", "otter"]) + "-battery-" + rs(6, string.ascii_lowercase) + "-" + str(R.randrange(100, 999))
secret("passphrase-with-spaces-quoted", True, f'GPG_PASSPHRASE="{p}" ./sign-release.sh v0.4.2', p)

p = pw(10)
secret("short-password-yaml", True, f"smtp:\n  user: alerts\n  pass: {p}\n", p)

p = pw(16)
secret("chat/credentials-block", True, f"Credentials:\n  Username: svc-backup\n  Password: {p}\n  Host: nas.local", p)

k_new = rs(40)
secret("git-diff/rotated-key", True, f"diff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n@@ -3 +3 @@\n-API_KEY=REPLACE_ME\n+API_KEY={k_new}\n", k_new)

p = pw(16)
secret("dotnet-user-secrets-list", True, f"Smtp:Password = {p}\nSmtp:Host = smtp.office365.com\n", p)

p = pw(18)
secret("ldapsearch-bind", True, f"ldapsearch -x -H ldaps://ldap.acme.dev -D \"cn=admin,dc=acme,dc=dev\" -w '{p}' -b \"ou=people,dc=acme,dc=dev\" \"(uid=jdoe)\"", p)

p = pw(18)
secret("python-kwargs-connect", True, f"conn = pymysql.connect(host='db.internal', user='etl', passwd='{p}', db='warehouse')", p)

p = pw(16)
secret("yaml-credentials-nested", True, f"sources:\n  - name: crm\n    type: salesforce\n    credentials:\n      username: integration@acme.dev\n      password: {p}\n      security_token: {rs(25)}\n", p)

k = rs(32)
secret("http-query-api-key", True, f"GET /data/2.5/weather?q=Lisbon&units=metric&appid={k} HTTP/1.1", k)

p = pw(20)
secret("java-properties-jks", True, f"server.ssl.key-store=classpath:keystore.p12\nserver.ssl.key-store-password={p}\nserver.ssl.key-store-type=PKCS12\n", p)

p = pw(16)
secret("powershell-securestring", True, f"$secpasswd = ConvertTo-SecureString '{p}' -AsPlainText -Force\n$cred = New-Object System.Management.Automation.PSCredential ('svc-deploy', $secpasswd)\n", p)

# ---------------------------------------------------------------------------------------------
# Free text, no marker at all
# ---------------------------------------------------------------------------------------------

p = pw(14)
secret("freetext/dont-tell", False, f"ok, it's {p} — don't tell anyone", p)

p = pw(12)
secret("freetext/maybe-capital", False, f"I think it was {p}, or maybe with a capital letter at the start", p)

x = rs(20)
secret("freetext/try-this", False, f"try {x}", x)

p = pw(14)
secret("freetext/staging-box", False, f"Use {p} for the staging box, the prod one is different.", p)

p1 = pw(14)
secret("freetext/sticky-note", False, f"Alice's laptop: {p1}\nBob's laptop: {pw(14)}\n", p1)

w = "-".join(R.choice(["violet", "tundra", "maple", "orbit", "falcon", "cobalt", "ember", "quartz"]) for _ in range(3)) + "-" + str(R.randrange(10, 99))
secret("freetext/word-phrase", False, f"we set it to {w} last week", w)

x = b64(24)
secret("freetext/copy-exactly", False, f"copy this exactly: {x}", x)

p = pw(13)
secret("freetext/remember-exclamation", False, f"remember: {p} (with the exclamation mark at the end)".replace(p, p.rstrip("!") + "!"), p.rstrip("!") + "!")

secret("freetext/lock-combination", False, "the combination on the server room lock is 4-19-33-8", "4-19-33-8")

p = pw(16)
secret("freetext/email-monday", False, f"Hi Sam,\n\nAs discussed, here's what you'll need on Monday: {p}\n\nThanks,\nJo", p)

x = rs(32)
secret("freetext/generated-value", False, f"Here is the generated value:\n\n{x}\n\nStore it somewhere safe.", x)

p = pw(15)
secret("freetext/if-it-asks", False, f"If it asks, type {p} and press enter.", p)

x = rs(44, B64URL)
secret("freetext/clipboard-bare", False, x, x)

p = pw(12)
secret("freetext/new-one", False, f"The new one is {p}.", p)

p = pw(16)
secret("freetext/same-as-wifi", False, f"it's {p}, same as the one on the router sticker", p)

p = pw(18)
secret("freetext/second-message", False, f"sorry, typo — {p}", p)


# =============================================================================================
# Benign values
# =============================================================================================

BENIGN = []


def benign(kind, text):
    BENIGN.append({"kind": kind, "text": text})


def many(kind, texts):
    for t in texts:
        benign(kind, t)


# --- prose that talks about passwords, tokens, keys, secrets, auth ---------------------------
many("prose/security", [
    "Rotate your API keys every 90 days and revoke any key you no longer use.",
    "The token expired, so the agent asked the user to sign in again.",
    "Passwords must be at least 12 characters long and include a number and a symbol.",
    "I forgot my password — how do I reset it without access to my old email?",
    "The secret to good sourdough is patience and a warm kitchen.",
    "Never paste your password into a chat window, even if someone claims to be from IT.",
    "OAuth 2.0 separates the access token, which is short-lived, from the refresh token, which is not.",
    "A JWT has three parts: a header, a payload and a signature, each base64url-encoded.",
    "Store secrets in a vault such as HashiCorp Vault or AWS Secrets Manager, not in the repository.",
    "Key takeaways: ship small changes, measure everything, and keep the on-call rotation fair.",
    "The password field was left empty, so the form showed a validation error.",
    "Use a password manager like 1Password or Bitwarden to generate unique passwords.",
    "API keys identify the calling project; OAuth tokens identify the user.",
    "Two-factor authentication adds a second step after the password.",
    "If the authentication header is missing the server responds with 401 Unauthorized.",
    "We switched from basic auth to OIDC last quarter.",
    "The primary key of the orders table is a UUID, and customer_id is a foreign key.",
    "Press any key to continue.",
    "The keynote is at 9:30 in hall B; the secret santa exchange is after lunch.",
    "My password manager says the password for that site was reused on three other sites.",
    "The token bucket algorithm refills at a fixed rate and allows short bursts.",
    "Secrets in Kubernetes are only base64-encoded, not encrypted, unless you enable encryption at rest.",
    "To authenticate, the client signs the request with its private key and the server verifies it with the public key.",
    "Don't commit your .env file; add it to .gitignore and commit a .env.example instead.",
    "The session cookie is marked HttpOnly and Secure so scripts cannot read it.",
    "Password reset links expire after 30 minutes.",
    "A leaked key should be revoked first and investigated second.",
    "The new SSO login replaces the old username and password form.",
    "Each tenant gets its own encryption key, wrapped by a key encryption key in the KMS.",
    "Authentication proves who you are; authorization decides what you may do.",
    "The secret ingredient is cardamom.",
    "Keys are case-sensitive, so 'Password' and 'password' are different fields in this schema.",
    "The CI job failed because the deploy token had been revoked.",
    "If you see 'invalid_grant', the refresh token has probably been rotated already.",
    "Bearer tokens grant access to whoever holds them, so treat them like passwords.",
    "The app stores only a bcrypt hash of each password, never the password itself.",
    "Our security review flagged hard-coded credentials in two test fixtures; both were removed.",
    "Signed URLs let a client download one object for a limited time without credentials.",
    "The webhook secret is used to verify the HMAC signature of each delivery.",
    "Keep the private key on the HSM and export only the public key.",
])

# LLM "tokens" are not secrets
many("prose/llm-tokens", [
    "The prompt used 1,532 tokens and the completion 214 tokens.",
    "GPT-4o has a context window of 128k tokens.",
    "Set max_tokens to 4096 to allow longer answers.",
    "Token usage: input=812 output=95 total=907",
    "The tokenizer splits 'unbelievable' into three tokens.",
    "We are billed per million tokens, so shorter system prompts save money.",
    "Streaming returns tokens as they are generated.",
    "The model stopped because it reached the token limit (finish_reason=length).",
    "Average tokens per request dropped from 3.2k to 2.1k after prompt caching.",
    "tiktoken counts 17 tokens in that sentence.",
])

# --- code that uses such names normally ------------------------------------------------------
many("code/python", [
    'password = getpass.getpass("Password: ")',
    'api_key = os.environ["OPENAI_API_KEY"]\nclient = OpenAI(api_key=api_key)',
    "def login(username: str, password: str) -> Token:\n    user = db.get_user(username)\n    if not check_password_hash(user.password_hash, password):\n        raise AuthError(\"invalid credentials\")\n    return issue_token(user)",
    'token = request.headers.get("Authorization", "").removeprefix("Bearer ")',
    'SECRET_KEY = os.getenv("SECRET_KEY")\nif not SECRET_KEY:\n    raise RuntimeError("SECRET_KEY is not set")',
    "class Settings(BaseSettings):\n    api_key: SecretStr\n    database_url: PostgresDsn\n    model_config = SettingsConfigDict(env_file=\".env\")",
    "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    "for key, value in config.items():\n    print(f\"{key}={value}\")",
    "def refresh(self) -> None:\n    resp = self.session.post(self.token_url, data={\"grant_type\": \"refresh_token\", \"refresh_token\": self.refresh_token})\n    resp.raise_for_status()\n    self.access_token = resp.json()[\"access_token\"]",
    "encoding = tiktoken.encoding_for_model(\"gpt-4o\")\nnum_tokens = len(encoding.encode(text))",
    "headers = {\"Authorization\": f\"Bearer {token}\", \"Content-Type\": \"application/json\"}",
    "if password != confirm_password:\n    errors.append(\"Passwords do not match\")",
    "keyring.set_password(\"agent-cli\", username, password)",
    "secret = client.access_secret_version(name=f\"projects/{project}/secrets/{secret_id}/versions/latest\")\npayload = secret.payload.data.decode()",
    "@app.post(\"/token\")\nasync def login(form: OAuth2PasswordRequestForm = Depends()):\n    user = authenticate(form.username, form.password)\n    if not user:\n        raise HTTPException(status_code=401, detail=\"Incorrect username or password\")\n    return {\"access_token\": create_access_token(user.id), \"token_type\": \"bearer\"}",
    "print(settings)\n# Settings(api_key=SecretStr('**********'), database_url='postgresql://localhost/dev')",
    "assert response.status_code == 401, response.text",
    "self.max_tokens = max_tokens or 1024",
    "cache_key = hashlib.sha256(prompt.encode()).hexdigest()",
    "api_key = api_key or os.getenv(\"ANTHROPIC_API_KEY\")\nif api_key is None:\n    raise ValueError(\"Set ANTHROPIC_API_KEY or pass api_key=\")",
])
many("code/rust", [
    'let token = std::env::var("GITHUB_TOKEN").context("GITHUB_TOKEN is not set")?;',
    "pub struct Credentials {\n    pub username: String,\n    pub password: SecretString,\n}",
    "impl fmt::Debug for Config {\n    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {\n        f.debug_struct(\"Config\").field(\"endpoint\", &self.endpoint).finish_non_exhaustive()\n    }\n}",
    "let api_key = args.api_key.or_else(|| env::var(\"API_KEY\").ok());",
    "match verify_password(&input, &stored_hash) {\n    Ok(true) => Ok(session),\n    _ => Err(AuthError::InvalidCredentials),\n}",
    "Config { endpoint: \"https://api.example.com\", api_key: Secret([REDACTED alloc::string::String]), retries: 3 }",
    "let mut map = HashMap::new();\nmap.insert(key.clone(), value);",
    "#[derive(Deserialize)]\nstruct TokenResponse {\n    access_token: String,\n    expires_in: u64,\n    refresh_token: Option<String>,\n}",
    "let req = client.get(url).bearer_auth(&token).send().await?;",
    "error[E0382]: borrow of moved value: `password`\n  --> src/auth.rs:31:20\n   |\n28 |     let hashed = hash(password);\n   |                       -------- value moved here",
])
many("code/go", [
    'password := os.Getenv("DB_PASSWORD")\nif password == "" {\n\tlog.Fatal("DB_PASSWORD must be set")\n}',
    "token, err := jwt.Parse(tokenString, func(t *jwt.Token) (interface{}, error) {\n\treturn []byte(secret), nil\n})",
    "type Config struct {\n\tAPIKey   string `env:\"API_KEY,required\"`\n\tTimeout  time.Duration `env:\"TIMEOUT\" envDefault:\"30s\"`\n}",
    "req.Header.Set(\"Authorization\", \"Bearer \"+token)",
    "if err := bcrypt.CompareHashAndPassword(user.PasswordHash, []byte(password)); err != nil {\n\treturn ErrUnauthorized\n}",
    "for key, val := range headers {\n\treq.Header.Add(key, val)\n}",
])
many("code/js-ts", [
    "const apiKey = process.env.OPENAI_API_KEY;\nif (!apiKey) throw new Error('Missing OPENAI_API_KEY');",
    "interface LoginRequest {\n  username: string;\n  password: string;\n  rememberMe?: boolean;\n}",
    "const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });",
    "const [password, setPassword] = useState('');",
    "<input type={showPassword ? 'text' : 'password'} value={password} onChange={e => setPassword(e.target.value)} />",
    "export async function refreshToken(refreshToken: string): Promise<TokenSet> {\n  return client.refresh(refreshToken);\n}",
    "const secret = await secretsManager.getSecretValue({ SecretId: 'prod/db' }).promise();",
    "Object.keys(obj).forEach(key => console.log(key, obj[key]));",
    "app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));",
    "if (err.status === 401) { router.push('/login?reason=token_expired'); }",
])
many("code/java", [
    'String password = System.getenv("DB_PASSWORD");',
    "@Value(\"${spring.datasource.password}\")\nprivate String password;",
    "public boolean matches(CharSequence rawPassword, String encodedPassword) {\n    return encoder.matches(rawPassword, encodedPassword);\n}",
    "KeyStore keyStore = KeyStore.getInstance(\"PKCS12\");\nkeyStore.load(in, keyStorePassword.toCharArray());",
    "@Override\npublic String toString() {\n    return \"User{id=\" + id + \", username='\" + username + \"', password='[PROTECTED]'}\";\n}",
])
many("code/bash", [
    'read -s -p "Password: " PASSWORD; echo',
    'export OPENAI_API_KEY="$(pass show openai/api-key)"',
    'curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/me',
    'echo "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin registry.example.com',
    'if [ -z "${GITHUB_TOKEN:-}" ]; then echo "GITHUB_TOKEN is required" >&2; exit 1; fi',
    'kubectl create secret generic db-creds --from-literal=username=app --from-literal=password="$DB_PASSWORD"',
    'gh auth login --with-token < token.txt',
    'aws secretsmanager get-secret-value --secret-id prod/db --query SecretString --output text | jq -r .password',
    'ssh-keygen -t ed25519 -C "deploy@acme.dev" -f ~/.ssh/deploy_key -N ""',
    'openssl rand -base64 32 > secret.key && chmod 600 secret.key',
])
many("code/sql", [
    "SELECT id, username, password_hash, last_login FROM users WHERE email = $1;",
    "CREATE TABLE api_keys (\n  id uuid PRIMARY KEY,\n  key_hash text NOT NULL,\n  prefix text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);",
    "UPDATE users SET password = crypt($1, gen_salt('bf')) WHERE id = $2;",
    "SELECT count(*) AS tokens_today FROM llm_calls WHERE created_at > now() - interval '1 day';",
    "ALTER TABLE sessions ADD COLUMN refresh_token_hash bytea;",
    "DELETE FROM password_reset_tokens WHERE expires_at < now();",
])

# --- JSON schemas and tool definitions --------------------------------------------------------
many("json/tool-definition", [
    jd({"type": "function", "function": {"name": "login", "description": "Log in to the customer portal.", "parameters": {"type": "object",
        "properties": {"username": {"type": "string"}, "password": {"type": "string", "description": "The user's password"}}, "required": ["username", "password"]}}}),
    jd({"name": "create_api_key", "description": "Create a new API key for the project", "input_schema": {"type": "object",
        "properties": {"project_id": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}}}, "required": ["project_id"]}}, 2),
    jd({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "DatabaseConfig", "type": "object",
        "properties": {"host": {"type": "string"}, "port": {"type": "integer", "default": 5432}, "user": {"type": "string"},
                       "password": {"type": "string", "writeOnly": True}, "sslmode": {"enum": ["disable", "require", "verify-full"]}}}, 2),
    jd({"name": "github_create_issue", "description": "Create an issue. Requires a token with repo scope.", "inputSchema": {"type": "object",
        "properties": {"repo": {"type": "string"}, "title": {"type": "string"}, "body": {"type": "string"}}}}),
    jd({"tools": [{"name": "rotate_secret", "parameters": {"secret_name": {"type": "string"}, "dry_run": {"type": "boolean"}}}]}),
    jd({"openapi": "3.1.0", "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}}}, 2),
    jd({"type": "object", "properties": {"token": {"type": "string", "minLength": 20, "description": "Personal access token"}, "expires_at": {"type": "string", "format": "date-time"}}}),
    jd({"name": "set_secret", "description": "Store a secret value in the vault under the given key.", "parameters": {"type": "object",
        "properties": {"key": {"type": "string"}, "value": {"type": "string"}}, "required": ["key", "value"]}}),
])

# --- configs with placeholders ----------------------------------------------------------------
many("config/placeholder", [
    "OPENAI_API_KEY=<your-api-key>\nANTHROPIC_API_KEY=<your-anthropic-key>\n",
    "DB_PASSWORD=${DB_PASSWORD}\nDB_USER=${DB_USER:-app}\n",
    "password: {{ .Values.postgresql.auth.password }}",
    "api_key: \"{{ env \\\"API_KEY\\\" }}\"",
    "# .env.example\nSTRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\nSTRIPE_WEBHOOK_SECRET=whsec_xxxxxxxx\n",
    "token = \"REPLACE_ME\"",
    "API_KEY=your_api_key_here",
    "password: \"********\"",
    "db:\n  user: app\n  password: null\n",
    "auth:\n  token: \"\"\n",
    "spring.datasource.password=${DB_PASSWORD}",
    "password = %(db_password)s",
    "export AWS_SECRET_ACCESS_KEY=\"$(aws configure get aws_secret_access_key --profile dev)\"",
    "api_key: !ENV ${WEATHER_API_KEY}",
    "secretKeyRef:\n  name: db-creds\n  key: password",
    "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
    "client_secret = var.client_secret",
    "password = \"${random_password.db.result}\"",
    "OPENAI_API_KEY=sk-...",
    "password: <redacted>",
    "\"apiKey\": \"YOUR_API_KEY\"",
    "mongodb://<username>:<password>@localhost:27017/mydb",
    "postgresql://user:password@localhost:5432/dbname",
    "redis://localhost:6379/0",
    "token: '%TOKEN%'",
    "secret: $SECRET",
])

# --- CLI help texts ---------------------------------------------------------------------------
many("cli-help", [
    "Usage: dbtool connect [OPTIONS]\n\nOptions:\n  -h, --host <HOST>          Server host [default: localhost]\n  -u, --user <USER>          User name\n  -p, --password <PASSWORD>  Password (prompted when omitted)\n      --help                 Print help",
    "  --token TOKEN         the API token (default: $AGENT_TOKEN)\n  --token-file PATH     read the token from PATH",
    "usage: gh auth login [flags]\n\nFLAGS\n  -h, --hostname string   The hostname of the GitHub instance to authenticate with\n  -p, --git-protocol string   The protocol to use for git operations: {ssh|https}\n      --with-token            Read token from standard input",
    "mysql  Ver 8.4.0\n  -p, --password[=name] Password to use when connecting to server. If password is\n                      not given it's asked from the tty.",
    "docker login [OPTIONS] [SERVER]\n\nOptions:\n  -p, --password string   Password\n      --password-stdin    Take the password from stdin\n  -u, --username string   Username",
    "  --api-key <KEY>        API key for the provider. Overrides OPENAI_API_KEY.",
    "SYNOPSIS\n     ssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f output_keyfile] [-N new_passphrase]",
    "Options:\n  --secret-id TEXT   Name or ARN of the secret  [required]\n  --version-stage TEXT\n  --help             Show this message and exit.",
    "vault login [options] [AUTH K=V...]\n\n  -method=<string>   Type of authentication to use such as \"userpass\" or \"ldap\".\n  -no-store          Do not persist the token to the token helper.",
    "curl: option --oauth2-bearer: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information",
])

# --- log lines --------------------------------------------------------------------------------
many("log", [
    "2024-06-11T10:00:01Z INFO auth: user alice logged in (method=password, mfa=totp)",
    "2024-06-11T10:00:02Z WARN token refresh failed: 401 Unauthorized; retrying in 5s",
    "2024-06-11T10:00:03Z DEBUG llm: tokens_in=812 tokens_out=95 cost_usd=0.0031",
    "2024-06-11T10:00:04Z ERROR provider returned: invalid api key",
    "2024-06-11T10:00:05Z INFO kms: rotated key id=projects/acme/locations/global/keyRings/app/cryptoKeys/data version=7",
    "level=info msg=\"password policy updated\" min_length=14 require_symbol=true",
    "[2024-06-11 10:00:06] production.INFO: Password reset requested {\"user_id\":4821}",
    "Jun 11 10:00:07 bastion sshd[2211]: Accepted publickey for deploy from 10.0.0.4 port 51822 ssh2: ED25519 SHA256:" + b64(32).rstrip("="),
    "Jun 11 10:00:08 bastion sshd[2212]: Failed password for invalid user admin from 203.0.113.9 port 40112 ssh2",
    "2024-06-11 10:00:09.114 UTC [61] FATAL:  password authentication failed for user \"postgres\"",
    "WARN  [auth] JWT signature verification failed: kid not found in JWKS",
    "INFO  secrets: loaded 12 secrets from /run/secrets (values not logged)",
    "time=2024-06-11T10:00:10Z level=warn msg=\"api key is about to expire\" key_prefix=sk-proj- days_left=3",
    "INFO token cache hit ratio=0.93 entries=1204",
    "[agent] step 3/7 tool=search_docs query=\"reset password flow\" results=5",
    "DEBUG oauth: exchanging authorization code for tokens (client_id=agent-cli)",
    "ERROR: Permission denied (publickey).",
    "[WARN] The 'password' option is deprecated; use 'password_file' instead.",
])

# --- error messages ---------------------------------------------------------------------------
many("error-message", [
    "invalid api key",
    "token expired",
    "Error: 401 Unauthorized - The provided token has expired. Please refresh your credentials.",
    jd({"error": {"message": "Incorrect API key provided: sk-proj-********************************************wXyZ. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}}),
    jd({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
    "An error occurred (AccessDenied) when calling the GetSecretValue operation: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:GetSecretValue",
    "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/acme/agent.git/'",
    "psycopg2.OperationalError: connection to server at \"db.internal\" (10.0.3.7), port 5432 failed: FATAL:  password authentication failed for user \"app\"",
    "jwt.exceptions.ExpiredSignatureError: Signature has expired",
    "Error: getaddrinfo ENOTFOUND api.openai.com",
    "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.', {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})",
    "Error response from daemon: Get \"https://registry.acme.io/v2/\": unauthorized: incorrect username or password",
    "AuthenticationError: No API key provided. You can set your API key in code using 'openai.api_key = <API-KEY>'.",
    "ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain",
    "The password you entered is incorrect. You have 2 attempts remaining.",
    "kubectl: error: You must be logged in to the server (Unauthorized)",
    "Error: secret \"db-creds\" not found",
])

# --- shell command outputs without secrets ----------------------------------------------------
many("shell/no-secret", [
    env_dump("AWS_PROFILE=dev", "AWS_REGION=us-east-1", "PASSWORD_STORE_DIR=/home/agent/.password-store", "GIT_ASKPASS=/usr/lib/git-core/git-gui--askpass"),
    env_dump("KEYTIMEOUT=1", "HISTFILE=/home/agent/.bash_history", "MAX_TOKENS=4096", "TOKEN_LIMIT=8000", "SECRET_KEY_BASE_FILE=/run/secrets/skb"),
    "      Name                    Value             Type    Location\n      ----                    -----             ----    --------\n   profile                      dev              manual    --profile\naccess_key     ****************QX7A shared-credentials-file\nsecret_key     ****************9pLm shared-credentials-file\n    region                eu-west-1      config-file    ~/.aws/config",
    "NAME                  TYPE                                  DATA   AGE\ndb-creds              Opaque                                2      41d\nregcred               kubernetes.io/dockerconfigjson        1      120d\ningress-tls           kubernetes.io/tls                     2      12d\n",
    "Name:         db-creds\nNamespace:    payments\nLabels:       <none>\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\npassword:  16 bytes\nusername:  8 bytes\n",
    "; \"user\" config from /home/dev/.npmrc\n\n//registry.npmjs.org/:_authToken = (protected)\nfund = false\n\n; node version = v20.14.0\n",
    "global.index-url='https://pypi.org/simple'\nglobal.timeout='60'\nsite.trusted-host='nexus.corp.example'\n",
    "origin\tgit@github.com:acme/agent-platform.git (fetch)\norigin\tgit@github.com:acme/agent-platform.git (push)\n",
    "origin\thttps://github.com/acme/agent-platform.git (fetch)\norigin\thttps://github.com/acme/agent-platform.git (push)\n",
    "total 48\ndrwxr-xr-x  6 agent agent 4096 Jun 11 10:00 .\n-rw-------  1 agent agent  612 Jun 11 09:58 .env\n-rw-r--r--  1 agent agent  401 Jun 11 09:58 .env.example\n-rw-------  1 agent agent  411 Jun 10 17:20 id_ed25519\n-rw-r--r--  1 agent agent  101 Jun 10 17:20 id_ed25519.pub\n-rw-r--r--  1 agent agent 2210 Jun 11 09:40 secrets.yaml.enc\n",
    "CONTAINER ID   IMAGE         COMMAND                  CREATED        STATUS        PORTS                    NAMES\n" + hexs(12) + "   postgres:16   \"docker-entrypoint.s…\"   2 hours ago    Up 2 hours    0.0.0.0:5432->5432/tcp   db\n",
    "On branch main\nYour branch is up to date with 'origin/main'.\n\nChanges not staged for commit:\n\tmodified:   src/auth/token.rs\n\tmodified:   src/auth/password.rs\n",
    "Key                  Value\n---                  -----\nkey_type             aes256-gcm96\nlatest_version       4\nmin_decryption_version 1\nname                 transit-app\n",
    "$ aws sts get-caller-identity\n" + jd({"UserId": "AIDA" + rs(17, UPPER_ALNUM), "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/agent"}, 4),
    "$ gh auth status\ngithub.com\n  ✓ Logged in to github.com account octocat (keyring)\n  - Active account: true\n  - Git operations protocol: https\n  - Token: gho_************************************\n  - Token scopes: 'gist', 'read:org', 'repo'",
    "$ ssh-add -l\n256 SHA256:" + b64(32).rstrip("=") + " deploy@acme.dev (ED25519)",
    "Docker Desktop: logged in as ci-bot\nLogin Succeeded",
    "$ vault kv get -field=password secret/db\nError reading secret/db: permission denied",
    "$ docker inspect --format '{{.Config.Env}}' web\n[PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHON_VERSION=3.12.3 PORT=8000]",
    "$ printenv | grep -i token\nTOKENIZERS_PARALLELISM=false\n",
])

# --- ids and hashes of every kind --------------------------------------------------------------
for _ in range(3):
    benign("id/uuid", uid())
    benign("id/git-sha", hexs(40))
    benign("id/sha256", hexs(64))
    benign("id/trace-id", f"trace_id={hexs(32)} span_id={hexs(16)}")
    benign("id/openai-chatcmpl", "chatcmpl-" + rs(29))
    benign("id/openai-call", jd({"tool_call_id": "call_" + rs(24), "role": "tool", "content": "done"}))
    benign("id/anthropic-msg", "msg_01" + rs(22))
    benign("id/anthropic-toolu", "toolu_01" + rs(22))
    benign("id/docker-digest", "sha256:" + hexs(64))
    benign("id/container-id", hexs(64))
    benign("id/stripe-customer", "cus_" + rs(14))
    benign("id/aws-request-id", f"RequestId: {uid()}")
    benign("id/ulid", rs(26, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"))
    benign("id/npm-integrity", "sha512-" + b64(64))
    benign("id/go-sum", f"golang.org/x/crypto v0.24.0 h1:{b64(32)}")
many("id/misc", [
    "arn:aws:iam::123456789012:role/agent-executor",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "projects/acme-analytics/secrets/openai-api-key/versions/3",
    "thread_" + rs(24), "asst_" + rs(24), "run_" + rs(24), "file-" + rs(24), "batch_" + hexs(32),
    "pi_" + rs(24), "ch_" + rs(24), "evt_" + rs(24), "sub_" + rs(24),
    "gid://shopify/Order/" + str(R.randrange(10**12)),
    "0x" + hexs(64),
    "ETag: \"" + hexs(32) + "\"",
    "x-request-id: " + uid(),
    "commit " + hexs(40) + "\nAuthor: Dana <dana@acme.dev>\nDate:   Tue Jun 11 10:00:00 2024 +0000\n\n    Rotate the signing key and drop the old password hashing scheme",
    "kid: " + hexs(16),
    "Key fingerprint = " + " ".join(hexs(4).upper() for _ in range(10)),
    "SHA256:" + b64(32).rstrip("=") + " (ED25519)",
    "api key id: key_" + rs(16) + " (the secret itself is shown only once)",
    "Key ID: " + hexs(8).upper() + "-" + hexs(4).upper(),
    "agent-runner-7f9c4d8b6-" + rs(5, LOWER_ALNUM),
    "bafybeig" + rs(51, string.ascii_lowercase + "234567"),
    "Idempotency-Key: " + uid(),
    "X-GitHub-Request-Id: " + ":".join(hexs(4).upper() for _ in range(5)),
    "span " + hexs(16) + " parent " + hexs(16) + " tokens=" + str(R.randrange(2000)),
    "The commit " + hexs(7) + " fixed the token refresh bug.",
    "md5sum: " + hexs(32) + "  model.safetensors",
    "sha1=" + hexs(40),
    "blake3:" + hexs(64),
    "CID " + str(R.randrange(10**9)),
])

# --- base64 data ------------------------------------------------------------------------------
png_header = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + R.randbytes(120)).decode()
many("base64", [
    "data:image/png;base64," + png_header,
    base64.b64encode(b"hello world, this is just some text").decode(),
    base64.b64encode(jd({"page": 2, "per_page": 50, "sort": "created_at"}).encode()).decode(),
    jd({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQSkZJRgABAQ" + b64(150)}}),
    "Content-Transfer-Encoding: base64\n\n" + "\n".join(pem_lines(200)),
    jd({"embedding": b64(96), "encoding_format": "base64", "model": "text-embedding-3-small"}),
    "cursor=" + base64.urlsafe_b64encode(b'{"after":"2024-06-11T10:00:00Z","id":4821}').decode(),
    "W/\"" + b64(18) + "\"",
])

# --- public keys and certificates -------------------------------------------------------------
cert, _ = pem("CERTIFICATE", 900, "MIIDdzCCAl+gAwIBAgIU")
pub, _ = pem("PUBLIC KEY", 294, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
pgp_pub, _ = pem("PGP PUBLIC KEY BLOCK", 600, "mQINBGZ")
many("public-key", [
    cert,
    pub,
    pgp_pub.replace("-----\n", "-----\n\n", 1),
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rs(43) + " deploy@acme.dev",
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + rs(500, ALNUM + "+/") + " ci@runner",
    "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    jd({"keys": [{"kty": "RSA", "use": "sig", "kid": hexs(16), "alg": "RS256", "n": b64url(256), "e": "AQAB"}]}),
    "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(pem_lines(500)) + "\n-----END CERTIFICATE REQUEST-----\n",
])

# --- URLs ---------------------------------------------------------------------------------------
many("url", [
    "https://platform.openai.com/api-keys",
    "https://github.com/acme/agent/blob/main/src/auth/token.rs#L42",
    "https://example.com/reset-password?step=2&lang=en",
    "https://www.google.com/search?q=how+to+rotate+aws+access+keys&hl=en",
    "https://medium.com/@dana/secrets-management-for-llm-agents-4f1c2a",
    "git@github.com:acme/agent-platform.git",
    "ssh://git@gitlab.com:2222/group/project.git",
    "https://user@bitbucket.org/acme/infra.git",
    "mailto:security@acme.dev?subject=Vulnerability%20report",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    "https://api.example.com/v1/items?page=3&per_page=50&sort=-created_at",
    "https://console.cloud.google.com/security/secret-manager?project=acme-analytics",
    "https://acme.atlassian.net/browse/SEC-1421",
    "http://localhost:8080/oauth/callback?code=&state=" + hexs(16) + "&error=access_denied",
    "https://hooks.slack.com/services",
    "https://discord.com/developers/applications",
    "https://storage.googleapis.com/acme-public/logo.png",
    "https://acme-public.s3.amazonaws.com/docs/architecture.pdf",
    "https://youtube.com/watch?v=" + rs(11, B64URL) + "&t=42s",
    "postgres://localhost/dev",
    "redis://redis:6379",
    "amqp://rabbitmq:5672/",
    "https://registry.npmjs.org/@types%2fnode",
    "https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct/tree/main",
    "https://www.postgresql.org/docs/current/libpq-pgpass.html",
    "https://auth.acme.dev/.well-known/openid-configuration",
])

# --- markdown -----------------------------------------------------------------------------------
many("markdown", [
    "## Authentication\n\nAll requests need an `Authorization: Bearer <token>` header. Create a token under **Settings → API keys**.\n",
    "| Variable | Required | Description |\n|---|---|---|\n| `OPENAI_API_KEY` | yes | Key for the OpenAI API |\n| `DB_PASSWORD` | yes | Password of the database user |\n| `LOG_LEVEL` | no | `info` by default |\n",
    "### Rotating secrets\n\n1. Create the new secret.\n2. Deploy with both the old and the new one accepted.\n3. Revoke the old secret.\n",
    "> **Warning**\n> Never commit `.env` files. They usually contain passwords and API tokens.\n",
    "```bash\nexport GITHUB_TOKEN=$(gh auth token)\n./scripts/release.sh\n```",
    "- [x] hash passwords with argon2id\n- [ ] add rate limiting to /login\n- [ ] expire refresh tokens after 30 days",
    "**Q:** Where do I find my API key?\n\n**A:** In the dashboard, under *Project settings → Keys*. The full key is only shown once.",
    "# Agent tools\n\n- `search_docs(query)` – full-text search\n- `get_secret(name)` – reads a secret from the vault (requires the `secrets:read` scope)\n",
])

# --- HTML ---------------------------------------------------------------------------------------
many("html", [
    '<form method="post" action="/login">\n  <label for="username">Username</label>\n  <input type="text" id="username" name="username" autocomplete="username">\n  <label for="password">Password</label>\n  <input type="password" id="password" name="password" autocomplete="current-password" required>\n  <button type="submit">Sign in</button>\n</form>',
    '<label for="api-key">API key</label>\n<input id="api-key" name="api_key" type="password" placeholder="sk-...">',
    '<a href="/forgot-password">Forgot your password?</a>',
    '<input type="password" name="new_password" minlength="12"><input type="password" name="confirm_password">',
    '<meta name="description" content="Manage API keys and tokens for your workspace">',
    '<p class="error">Your session token has expired. <a href="/login">Sign in again</a>.</p>',
])

# --- realistic agent traffic --------------------------------------------------------------------
many("agent/chat", [
    "Can you help me write a function that checks whether a password meets our policy?",
    "I rotated the API key this morning; the old one should stop working in an hour.",
    "Please summarize the security section of the attached doc, especially the parts about token storage.",
    "What's the difference between a secret and a config value in Kubernetes?",
    "The user asked to reset their password. I sent the reset link to the email on file.",
    "I can't read the password for you, but you can run `kubectl get secret db-creds -o yaml` yourself.",
    "Sure! Here is a Python function that generates a random password using the secrets module.",
    "The deploy failed because the registry token in CI is expired. Could you renew it in the project settings?",
    "Thanks, the key works now.",
    "Which scopes does the token need to push to the package registry?",
    "Your refresh token is stored encrypted in the keychain; the agent never sees it.",
    "I've redacted the credentials from the log before sharing it.",
    "Let me check the auth middleware first — the 403 suggests the token is valid but lacks the admin role.",
    "Okay, I've updated the README to explain how to set OPENAI_API_KEY.",
    "The secret santa list is in the shared drive.",
])
many("agent/tool-result", [
    jd({"temperature_c": 18.5, "condition": "partly cloudy", "wind_kph": 14, "city": "Lisbon"}),
    jd({"results": [{"title": "How to reset your password", "url": "https://help.acme.dev/articles/reset-password", "snippet": "Click 'Forgot password' on the sign-in page..."},
                    {"title": "API keys and tokens", "url": "https://help.acme.dev/articles/api-keys", "snippet": "Create, rotate and revoke keys..."}]}, 2),
    jd({"status": "ok", "rows_affected": 3}),
    jd({"files": ["src/auth/password.rs", "src/auth/token.rs", "src/auth/mod.rs"], "truncated": False}),
    jd({"issue": {"number": 1421, "title": "Refresh token not rotated on use", "state": "open", "labels": ["security", "auth"]}}),
    jd({"user": {"id": 4821, "email": "dana@acme.dev", "has_password": True, "mfa_enabled": True, "last_login": "2024-06-10T08:11:00Z"}}),
    jd({"secret": {"name": "prod/db", "arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf", "last_rotated": "2024-06-01", "versions": 4}}),
    jd({"usage": {"prompt_tokens": 512, "completion_tokens": 128, "total_tokens": 640}, "model": "gpt-4o-mini-2024-07-18"}),
    jd({"id": "chatcmpl-" + rs(29), "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Your password must be at least 12 characters."}, "finish_reason": "stop"}]}),
    jd({"token_type": "Bearer", "expires_in": 3600, "scope": "read"}),
    jd({"key": "theme", "value": "dark"}),
    jd({"password_policy": {"min_length": 12, "require_uppercase": True, "require_symbol": True, "max_age_days": 90}}, 2),
    jd({"api_keys": [{"id": "key_" + rs(12), "name": "ci", "prefix": "sk-proj-", "created": "2024-05-01", "last_used": "2024-06-10"}]}),
    jd({"authenticated": False, "reason": "token_expired"}),
    "Exit code: 0\nStdout:\nAll 214 tests passed in 12.3s\n",
    "Exit code: 1\nStderr:\nerror: could not find `Cargo.toml` in `/workspace` or any parent directory\n",
    "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\"\nContent-Length: 0\n",
    "HTTP/1.1 200 OK\nContent-Type: application/json\nX-RateLimit-Remaining: 4999\n\n{\"login\":\"octocat\",\"id\":1,\"type\":\"User\"}",
    "> GET /v1/models HTTP/2\n> Host: api.openai.com\n> authorization: Bearer $OPENAI_API_KEY\n> user-agent: curl/8.4.0\n",
    "Set-Cookie: theme=dark; Path=/; Max-Age=31536000\nSet-Cookie: lang=en; Path=/",
    "Vary: Authorization, Accept-Encoding\nAccess-Control-Allow-Headers: Authorization, Content-Type, X-API-Key",
])

many("stack-trace/no-secret", [
    "Traceback (most recent call last):\n  File \"/app/auth.py\", line 52, in verify\n    payload = jwt.decode(token, key, algorithms=[\"RS256\"])\n  File \"/usr/lib/python3.12/site-packages/jwt/api_jwt.py\", line 210, in decode\n    raise ExpiredSignatureError(\"Signature has expired\")\njwt.exceptions.ExpiredSignatureError: Signature has expired",
    "thread 'tokio-runtime-worker' panicked at src/auth.rs:88:14:\nmissing environment variable API_KEY\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    "Exception in thread \"main\" java.lang.IllegalStateException: No password configured for datasource 'primary'\n\tat com.acme.db.DataSourceFactory.create(DataSourceFactory.java:41)",
    "TypeError: Cannot read properties of undefined (reading 'token')\n    at refresh (/app/src/auth.ts:31:22)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x4a1b2c]\n\ngoroutine 1 [running]:\nmain.(*TokenStore).Get(0x0, {0xc00001a0c0, 0x8})\n\t/src/store.go:27 +0x1c",
    "Settings(api_key=SecretStr('**********'), model='gpt-4o', timeout=30)",
    "Config { endpoint: \"https://api.example.com\", api_key: \"<hidden>\", retries: 3 }",
    "DataSourceProperties{url='jdbc:postgresql://db:5432/app', username='app', password='******'}",
    "{ apiKey: undefined, baseURL: 'https://api.openai.com/v1', timeout: 600000 }",
    "&{Host:db.internal Port:5432 User:app Password: SSLMode:require}",
])

# --- more code and configs (benign by construction) --------------------------------------------
many("config/no-secret", [
    "server:\n  port: 8080\n  auth:\n    mode: oidc\n    issuer: https://auth.acme.dev/\n    audience: agent-api\n",
    "[tool.poetry.dependencies]\npython = \"^3.12\"\nopenai = \"^1.30\"\npython-jose = {extras = [\"cryptography\"], version = \"^3.3\"}\npasslib = {extras = [\"bcrypt\"], version = \"^1.7\"}\n",
    "[dependencies]\njsonwebtoken = \"9\"\nargon2 = \"0.5\"\nsecrecy = \"0.8\"\n",
    "{\n  \"compilerOptions\": {\n    \"strict\": true,\n    \"noImplicitAny\": true\n  },\n  \"include\": [\"src/auth/**/*.ts\"]\n}",
    "password_hashing:\n  algorithm: argon2id\n  memory_kib: 65536\n  iterations: 3\n  parallelism: 4\n",
    "token:\n  ttl: 15m\n  refresh_ttl: 720h\n  issuer: agent\n",
    "[sshd_config]\nPasswordAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n",
    "ssl_certificate     /etc/nginx/certs/fullchain.pem;\nssl_certificate_key /etc/nginx/certs/privkey.pem;\nauth_basic          \"Restricted\";\nauth_basic_user_file /etc/nginx/.htpasswd;\n",
    "Host bastion\n  HostName 203.0.113.10\n  User deploy\n  IdentityFile ~/.ssh/id_ed25519\n  IdentitiesOnly yes\n",
    "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: db-creds\nspec:\n  secretStoreRef:\n    name: aws-sm\n  data:\n  - secretKey: password\n    remoteRef:\n      key: prod/db\n      property: password\n",
    "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-creds\n        key: password\n",
    "model: gpt-4o\ntemperature: 0.2\nmax_tokens: 2048\nstop: [\"</answer>\"]\n",
    "[auth]\nprovider = \"github\"\nallowed_orgs = [\"acme\"]\nsession_lifetime = \"12h\"\n",
    "KEY_VAULT_NAME=acme-kv-prod\nAZURE_KEYVAULT_URL=https://acme-kv-prod.vault.azure.net/\n",
])

# --- generated variants: realistic repeated traffic ---------------------------------------------
users = ["alice", "bob", "dana", "li", "sam", "priya", "jo", "omar"]
tools = ["search_docs", "read_file", "run_tests", "list_issues", "get_weather", "query_db", "fetch_url"]
for i in range(40):
    kind = i % 8
    u = R.choice(users)
    if kind == 0:
        benign("gen/log-login", f"2024-06-{R.randrange(10, 29)}T{R.randrange(24):02d}:{R.randrange(60):02d}:{R.randrange(60):02d}Z INFO auth: {u} signed in via {R.choice(['password', 'sso', 'passkey'])} from {ip()}")
    elif kind == 1:
        pt, ct = R.randrange(50, 9000), R.randrange(10, 2000)
        benign("gen/usage-json", jd({"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}))
    elif kind == 2:
        benign("gen/tool-call", jd({"id": "call_" + rs(24), "type": "function", "function": {"name": R.choice(tools), "arguments": jd({"query": R.choice(["password reset flow", "token refresh", "api key rotation", "oauth scopes", "login page"]), "limit": R.randrange(1, 20)})}}))
    elif kind == 3:
        benign("gen/span-log", f"span={hexs(16)} trace={hexs(32)} name=tool.{R.choice(tools)} duration_ms={R.randrange(1, 5000)} status=ok")
    elif kind == 4:
        benign("gen/http-log", f"{ip()} - {u} [11/Jun/2024:{R.randrange(24):02d}:{R.randrange(60):02d}:{R.randrange(60):02d} +0000] \"{R.choice(['GET', 'POST'])} /api/v1/{R.choice(['tokens', 'keys', 'sessions', 'users/me', 'password/reset'])} HTTP/1.1\" {R.choice([200, 201, 204, 401, 403])} {R.randrange(100, 9000)}")
    elif kind == 5:
        benign("gen/chat", f"{u.title()} asked whether the {R.choice(['API key', 'access token', 'deploy key', 'password', 'client secret'])} for {R.choice(['staging', 'the CI runner', 'the analytics job', 'the billing service'])} needs to be rotated {R.choice(['this week', 'before the audit', 'after the incident', 'every quarter'])}.")
    elif kind == 6:
        benign("gen/metrics", f"llm_tokens_total{{model=\"{R.choice(['gpt-4o', 'claude-3-5-sonnet', 'llama3-70b'])}\",direction=\"{R.choice(['input', 'output'])}\"}} {R.randrange(10**6)}")
    else:
        benign("gen/git-log", f"{hexs(7)} {R.choice(['Fix', 'Refactor', 'Add', 'Remove'])} {R.choice(['token refresh', 'password hashing', 'API key validation', 'secret loading', 'auth middleware'])} ({u})")

# hashes with labels, as tools print them
for i in range(12):
    label = R.choice(["sha256", "checksum", "digest", "hash", "fingerprint", "etag", "commit"])
    v = hexs(64 if label in ("sha256", "digest", "hash") else 40)
    benign("gen/labelled-hash", f"{label}: {v}")

# ids in JSON as APIs return them
for i in range(12):
    benign("gen/api-object-ids", jd({"id": R.choice(["msg_01", "run_", "req_", "evt_"]) + rs(24), "object": R.choice(["message", "run", "event"]), "created": 1718000000 + R.randrange(10**6), "request_id": uid()}))

# --- more prose and code to reach breadth --------------------------------------------------------
many("prose/misc", [
    "The agent will open a pull request once the tests pass.",
    "Summary: 3 files changed, 41 insertions(+), 12 deletions(-).",
    "The meeting moved to Thursday at 3pm.",
    "Estimated cost for this run: $0.042 (2,311 input tokens, 402 output tokens).",
    "Note that `secrets.token_urlsafe(32)` returns a URL-safe text string with 32 bytes of randomness.",
    "In Rust, the `secrecy` crate wraps values so that Debug prints [REDACTED] instead of the value.",
    "A passkey replaces the password with a key pair stored on your device.",
    "The hash of the empty string under SHA-256 is e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.",
    "The word 'password' appears 14 times in the logs, always in the phrase 'password reset requested'.",
    "Set `AWS_PROFILE=dev` before running the script so it picks up your SSO session.",
    "Basic authentication sends `user:password` base64-encoded in the Authorization header, so always use TLS.",
    "The default username and password for the local Grafana container are documented in its README.",
    "The key length for AES-256 is 32 bytes.",
    "Please use the company SSO; shared passwords are no longer allowed.",
    "Our API accepts either a session cookie or an API key, but not both.",
    "Remember to log out of the shared terminal after the demo.",
])

many("code/misc", [
    "def generate_password(length: int = 16) -> str:\n    alphabet = string.ascii_letters + string.digits + string.punctuation\n    return ''.join(secrets.choice(alphabet) for _ in range(length))",
    "fn redact(s: &str) -> String {\n    if s.len() <= 4 { return \"****\".into(); }\n    format!(\"{}****\", &s[..4])\n}",
    "const masked = key.slice(0, 7) + '…' + key.slice(-4);",
    "grep -rn 'password' src/ --include='*.py' | wc -l",
    "SELECT key, value FROM settings WHERE key LIKE 'feature.%';",
    "with open(os.path.expanduser('~/.netrc')) as f:\n    machines = netrc.netrc(f.name).hosts",
    "let creds = aws_config::load_defaults(BehaviorVersion::latest()).await;",
    "const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });",
    "$table->string('password');\n$table->rememberToken();",
    "has_secure_password\nvalidates :password, length: { minimum: 12 }, allow_nil: true",
    "password_hash = argon2.PasswordHasher().hash(password)",
    "if (!user || !(await bcrypt.compare(password, user.passwordHash))) {\n  return res.status(401).json({ error: 'Invalid email or password' });\n}",
])


def number(items, prefix):
    out = []
    for i, it in enumerate(items, 1):
        out.append({"id": f"{prefix}{i:03d}", **it})
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    secrets = number(SECRETS, "s")
    benigns = number(BENIGN, "b")
    texts = [b["text"] for b in benigns]
    assert len(texts) == len(set(texts)), "duplicate benign values"
    for s in secrets:
        assert s["secret"] in s["text"]
    with open(os.path.join(here, "secrets.json"), "w") as f:
        json.dump(secrets, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(here, "benign.json"), "w") as f:
        json.dump(benigns, f, indent=1, ensure_ascii=False)
        f.write("\n")
    marked = sum(1 for s in secrets if s["marker"])
    print(f"secrets: {len(secrets)} ({marked} with a marker, {len(secrets) - marked} free text); benign: {len(benigns)}")


if __name__ == "__main__":
    main()
