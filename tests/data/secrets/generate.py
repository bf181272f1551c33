#!/usr/bin/env python3
"""Generates the secret and benign corpora of tests/secret_corpus.rs.

    python3 tests/data/secrets/generate.py   # rewrites secrets.json and benign.json here

Every secret is fake (random, or a key pair made for this corpus by openssl/ssh-keygen and used
nowhere) but in the real format and length of its provider: prefixes, alphabets, lengths, and
the CRC32 checksums of GitHub and npm tokens. Each one is embedded in text of the kind an agent
really sees (a log line, a config file, a shell command, a chat message, an HTTP dump).

The corpus was written from the providers' formats, not from any scrubber's rules.
Re-running changes the random values (the seed fixes the tokens; the PEM keys come from
openssl/ssh-keygen and are new each run).
"""

import base64
import binascii
import hashlib
import json
import os
import random
import string
import struct
import subprocess
import tempfile
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20250611)

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = string.ascii_letters + DIGITS
B62 = DIGITS + UPPER + LOWER
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"


def pick(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def b62(n, width):
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def checksummed(prefix, body_len=30):
    """GitHub / npm token: prefix, 30 base62 characters, the CRC32 of them in 6 base62."""
    body = pick(ALNUM, body_len)
    return prefix + body + b62(binascii.crc32(body.encode()) & 0xFFFFFFFF, 6)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(payload, alg="HS256", sig_bytes=32):
    header = {"alg": alg, "typ": "JWT"}
    h = b64url(json.dumps(header, separators=(",", ":")).encode())
    p = b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}.{b64url(rand_bytes(sig_bytes))}"


def rand_bytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def b64(n_bytes):
    return base64.b64encode(rand_bytes(n_bytes)).decode()


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def openssh_key():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "id_ed25519")
        subprocess.run(["ssh-keygen", "-t", "ed25519", "-N", "", "-C", "deploy@ci-runner-07", "-f", path, "-q"], check=True)
        with open(path) as f:
            return f.read().strip()


def password(n=16):
    symbols = "!#$%&*+-.=?@^_~"
    chars = [rng.choice(UPPER), rng.choice(LOWER), rng.choice(DIGITS), rng.choice(symbols)]
    chars += [rng.choice(ALNUM + symbols) for _ in range(n - 4)]
    rng.shuffle(chars)
    return "".join(chars)


# ---------------------------------------------------------------------------------------------
# Secrets: (id, kind, text with {0}, {1} … for the secret values, [values], marker)

entries = []


def add(id_, kind, text, values, marker=True):
    for v in values:
        assert text.format(*values).count(v) == 1, (id_, v)
    entries.append({"id": id_, "kind": kind, "text": text.format(*values), "secrets": values, "marker": marker})


# Provider tokens.
openai_proj = "sk-proj-" + pick(URLSAFE, 74) + "T3BlbkFJ" + pick(URLSAFE, 74)
add("openai-project-key", "provider",
    "Here's the key for the staging workspace, please don't paste it anywhere public: {0}\nIt has a $50 monthly limit.",
    [openai_proj])
openai_legacy = "sk-" + pick(ALNUM, 20) + "T3BlbkFJ" + pick(ALNUM, 20)
add("openai-legacy-key", "provider",
    'from openai import OpenAI\nclient = OpenAI(api_key="{0}")\nresp = client.chat.completions.create(model="gpt-4o-mini", messages=msgs)',
    [openai_legacy])
openai_svc = "sk-svcacct-" + pick(URLSAFE, 74) + "T3BlbkFJ" + pick(URLSAFE, 74)
add("openai-service-account-key", "provider",
    "2025-03-02T11:04:51Z ERROR worker-3 openai.AuthenticationError: Incorrect API key provided: {0}. You can find your API key at https://platform.openai.com/account/api-keys.",
    [openai_svc])
ant = "sk-ant-api03-" + pick(URLSAFE, 93) + "AA"
add("anthropic-api-key", "provider",
    'curl https://api.anthropic.com/v1/messages \\\n  -H "x-api-key: {0}" \\\n  -H "anthropic-version: 2023-06-01" \\\n  -H "content-type: application/json" \\\n  -d \'{{"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [{{"role": "user", "content": "Hello"}}]}}\'',
    [ant])
ant_admin = "sk-ant-admin01-" + pick(URLSAFE, 93) + "AA"
add("anthropic-admin-key", "provider",
    "For the usage report script I created an admin key in the console ({0}); it only has read access to the org's usage endpoints.",
    [ant_admin])
akia = "AKIA" + pick(UPPER + "234567", 16)
aws_secret = pick(ALNUM + "/+", 40)
add("aws-credentials-file", "provider",
    "Contents of ~/.aws/credentials on the build box:\n[default]\naws_access_key_id = {0}\naws_secret_access_key = {1}\nregion = eu-west-1\n",
    [akia, aws_secret])
akia2 = "AKIA" + pick(UPPER + "234567", 16)
add("aws-access-key-in-prose", "provider",
    "The nightly export broke because {0} belongs to the IAM user we deleted on Friday; the bucket policy still references it.",
    [akia2])
asia = "ASIA" + pick(UPPER + "234567", 16)
sts_secret = pick(ALNUM + "/+", 40)
sts_token = "IQoJb3JpZ2luX2VjE" + pick(ALNUM + "/+", 300) + "=="
add("aws-sts-session", "provider",
    "export AWS_ACCESS_KEY_ID={0}\nexport AWS_SECRET_ACCESS_KEY={1}\nexport AWS_SESSION_TOKEN={2}\n# expires 2025-06-11T15:42:10Z",
    [asia, sts_secret, sts_token])
akia3 = "AKIA" + pick(UPPER + "234567", 16)
aws_secret3 = pick(ALNUM + "/+", 40)
add("aws-create-access-key-output", "document",
    'Output of `aws iam create-access-key --user-name ci-bot`:\n{{\n    "AccessKey": {{\n        "UserName": "ci-bot",\n        "AccessKeyId": "{0}",\n        "Status": "Active",\n        "SecretAccessKey": "{1}",\n        "CreateDate": "2025-05-30T08:12:44+00:00"\n    }}\n}}',
    [akia3, aws_secret3])
aws_secret4 = pick(ALNUM + "/+", 40)
add("aws-secret-key-in-yaml-doc", "document",
    "Runbook, section 4.2 (rotating the backup credentials):\n  backup:\n    AccessKeyId: AKIA" + pick(UPPER + "234567", 16) + "\n    SecretAccessKey: {0}\n    Bucket: acme-backups-eu\nAfter rotating, update the vault entry and re-run the backup job.",
    [aws_secret4])
ghp = checksummed("ghp_")
add("github-pat-classic-in-remote", "url",
    "fatal: unable to access 'https://{0}@github.com/acme/infra.git/': The requested URL returned error: 403",
    [ghp])
ghp2 = checksummed("ghp_")
add("github-pat-classic-prose", "provider",
    "I accidentally committed my personal access token {0} to the workflow file, can you help me rewrite the history?",
    [ghp2])
gh_fine = "github_pat_" + pick(ALNUM, 22) + "_" + pick(ALNUM, 59)
add("github-fine-grained-pat", "header",
    'GET /repos/acme/api/actions/runs HTTP/1.1\nHost: api.github.com\nAccept: application/vnd.github+json\nAuthorization: token {0}\nX-GitHub-Api-Version: 2022-11-28',
    [gh_fine])
gho = checksummed("gho_")
add("github-oauth-token-json", "provider",
    'Token exchange response: {{"access_token":"{0}","token_type":"bearer","scope":"repo,gist"}}',
    [gho])
ghs = checksummed("ghs_")
add("github-app-installation-token", "provider",
    "##[debug]Using installation token {0} for acme/deploy-bot (expires in 60 minutes)",
    [ghs])
glpat = "glpat-" + pick(URLSAFE, 20)
add("gitlab-pat-header", "header",
    "curl --header \"PRIVATE-TOKEN: {0}\" \"https://gitlab.com/api/v4/projects/4821/pipelines?status=failed\"",
    [glpat])
glpat2 = "glpat-" + pick(URLSAFE, 20)
add("gitlab-pat-prose", "provider",
    "The mirror job uses {0} (scope: read_repository) and it stopped working after the group was moved.",
    [glpat2])
xoxb = "xoxb-" + pick(DIGITS, 12) + "-" + pick(DIGITS, 13) + "-" + pick(ALNUM, 24)
add("slack-bot-token", "provider",
    "Bot token for the #alerts integration is {0} — rotate it after the demo.",
    [xoxb])
xoxp = "xoxp-" + pick(DIGITS, 12) + "-" + pick(DIGITS, 12) + "-" + pick(DIGITS, 13) + "-" + pick(HEX, 32)
add("slack-user-token", "provider",
    'slack_sdk.errors.SlackApiError: The request to the Slack API failed. (url: https://slack.com/api/chat.postMessage, token: {0})\nThe server responded with: {{"ok": false, "error": "not_in_channel"}}',
    [xoxp])
slack_hook_secret = pick(ALNUM, 24)
add("slack-webhook-url", "url",
    "curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"Deploy of api v2.14.1 finished\"}}' https://hooks.slack.com/services/T" + pick(UPPER + DIGITS, 8) + "/B" + pick(UPPER + DIGITS, 10) + "/{0}",
    [slack_hook_secret])
sk_live = "sk_live_51" + pick(ALNUM, 97)
add("stripe-secret-key", "provider",
    'import stripe\nstripe.api_key = "{0}"\nstripe.Refund.create(payment_intent="pi_3PqR8sLkdIwHu7ix1a2b3c4d")',
    [sk_live])
rk_live = "rk_live_51" + pick(ALNUM, 97)
add("stripe-restricted-key", "provider",
    "The reporting job authenticates with the restricted key {0} (read-only on charges and payouts).",
    [rk_live])
whsec = "whsec_" + pick(ALNUM, 32)
add("stripe-webhook-secret", "provider",
    "// Stripe CLI printed: Ready! Your webhook signing secret is {0} (^C to quit)\nconst event = stripe.webhooks.constructEvent(body, sig, endpointSecret);",
    [whsec])
aiza = "AIza" + pick(URLSAFE, 35)
add("google-api-key-in-url", "url",
    "GET https://maps.googleapis.com/maps/api/geocode/json?address=Alexanderplatz+1,+Berlin&key={0} returned REQUEST_DENIED",
    [aiza])
aiza2 = "AIza" + pick(URLSAFE, 35)
add("google-api-key-js-config", "camel",
    'const firebaseConfig = {{\n  apiKey: "{0}",\n  authDomain: "acme-shop.firebaseapp.com",\n  projectId: "acme-shop",\n  storageBucket: "acme-shop.appspot.com"\n}};',
    [aiza2])
hf = "hf_" + pick(string.ascii_letters, 34)
add("huggingface-cli-login", "provider",
    "$ huggingface-cli login --token {0} --add-to-git-credential\nToken is valid (permission: write).",
    [hf])
hf2 = "hf_" + pick(string.ascii_letters, 34)
add("huggingface-env", "env",
    "Run it with HF_TOKEN={0} python train.py --model meta-llama/Llama-3.1-8B-Instruct --epochs 3",
    [hf2])
tw_sk = "SK" + pick(HEX, 32)
tw_secret = pick(ALNUM, 32)
add("twilio-api-key-and-secret", "env",
    "TWILIO_ACCOUNT_SID=AC" + pick(HEX, 32) + "\nTWILIO_API_KEY={0}\nTWILIO_API_SECRET={1}\nTWILIO_FROM=+14155550123",
    [tw_sk, tw_secret])
tw_auth = pick(HEX, 32)
add("twilio-auth-token-env", "env",
    "In the Heroku config I set TWILIO_AUTH_TOKEN={0} but the SMS webhook still fails signature validation.",
    [tw_auth])
sg = "SG." + pick(URLSAFE, 22) + "." + pick(URLSAFE, 43)
add("sendgrid-api-key", "provider",
    "sg = SendGridAPIClient('{0}')\nresponse = sg.send(message)  # 401 Unauthorized since Monday",
    [sg])
npm_tok = checksummed("npm_")
add("npm-token", "provider",
    "$ npm token create --read-only\n┌────────────────┬──────────────────────────────────────────┐\n│ token          │ {0} │\n│ readonly       │ true                                     │\n└────────────────┴──────────────────────────────────────────┘",
    [npm_tok])
npm_tok2 = checksummed("npm_")
add("npmrc-auth-token", "config",
    "My ~/.npmrc is:\n//registry.npmjs.org/:_authToken={0}\n@acme:registry=https://npm.pkg.github.com\nand `npm publish` still says E401.",
    [npm_tok2])
az_key = b64(64)
add("azure-storage-connection-string", "config",
    'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey={0};EndpointSuffix=core.windows.net"',
    [az_key])
az_key2 = b64(64)
add("azure-storage-connection-string-prose", "config",
    "BlobServiceClient.from_connection_string failed for DefaultEndpointsProtocol=https;AccountName=acmearchive;AccountKey={0};EndpointSuffix=core.windows.net: AuthorizationPermissionMismatch",
    [az_key2])
dapi = "dapi" + pick(HEX, 32)
add("databricks-token", "provider",
    "[DEFAULT]\nhost = https://adb-4816352019283746.6.azuredatabricks.net\ntoken = {0}\njobs-api-version = 2.1",
    [dapi])
shpat = "shpat_" + pick(HEX, 32)
add("shopify-admin-token", "header",
    "POST https://acme-store.myshopify.com/admin/api/2024-07/graphql.json\nContent-Type: application/json\nX-Shopify-Access-Token: {0}",
    [shpat])
pypi = "pypi-AgEIcHlwaS5vcmc" + pick(URLSAFE, 160)
add("pypi-token-pypirc", "config",
    "[distutils]\nindex-servers = pypi\n\n[pypi]\n  username = __token__\n  password = {0}\n",
    [pypi])
jwt1 = jwt({"sub": "auth0|6650f3b2c9e77a001f2e4d1a", "aud": "https://api.acme.io", "iat": 1718000000, "exp": 1718086400, "scope": "read:orders write:orders"}, "RS256", 256)
add("jwt-bearer-header", "header",
    "Request headers:\nAccept: application/json\nAuthorization: Bearer {0}\nUser-Agent: acme-agent/0.4.2",
    [jwt1])
jwt2 = jwt({"iss": "https://accounts.google.com", "sub": "110248495921238986420", "email": "ann@acme.io", "iat": 1718001234, "exp": 1718004834})
add("jwt-in-prose", "provider",
    "The id_token we got back was {0} and it had already expired when the API checked it.",
    [jwt2])
rsa_pem = run(["openssl", "genrsa", "-traditional", "2048"]).strip()
add("pem-rsa-private-key", "pem",
    "Can you tell me why nginx says \"key values mismatch\"? This is server.key:\n{0}\nand the cert is the one from Let's Encrypt.",
    [rsa_pem])
ssh_pem = openssh_key()
add("pem-openssh-private-key", "pem",
    "deploy key for the runner (paste into the DEPLOY_KEY secret):\n\n{0}\n",
    [ssh_pem])
ec_pem = run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"]).strip()
add("pem-ec-private-key", "pem",
    "Apple push key AuthKey_8K2J4L9M3N.p8 contents:\n{0}",
    [ec_pem])
gcp_pem = run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]).strip() + "\n"
gcp_key_id = pick(HEX, 40)
gcp_pem_json = json.dumps(gcp_pem)[1:-1]  # as it appears inside the JSON file: \n escapes
sa = (
    '{{\n  "type": "service_account",\n  "project_id": "acme-analytics-prod",\n  "private_key_id": "{0}",\n'
    '  "private_key": "{1}",\n  "client_email": "bq-loader@acme-analytics-prod.iam.gserviceaccount.com",\n'
    '  "client_id": "104857362910284756193",\n  "auth_uri": "https://accounts.google.com/o/oauth2/auth",\n'
    '  "token_uri": "https://oauth2.googleapis.com/token"\n}}'
)
add("gcp-service-account-json", "document",
    "The BigQuery loader fails with invalid_grant. Here is the key file it reads:\n" + sa + "\nAny idea?",
    [gcp_key_id, gcp_pem_json])
doppler = "dp.st.prd." + pick(ALNUM, 43)
add("doppler-service-token", "provider",
    "docker run -e DOPPLER_TOKEN=\"{0}\" acme/api:2.14.1 doppler run -- node server.js",
    [doppler])
doppler_pt = "dp.pt." + pick(ALNUM, 43)
add("doppler-personal-token", "provider",
    "doppler configure set token {0} --scope /srv/app",
    [doppler_pt])
hvs = "hvs.CAESI" + pick(URLSAFE, 86)  # a service token: 95 characters
add("vault-token-short", "provider",
    "Vault login succeeded: token {0}, policies [\"default\" \"ci-read\"], renewable true, ttl 768h",
    [hvs])
hvs_long = "hvs.CAESI" + pick(URLSAFE, 86)
add("vault-token-env", "env",
    "export VAULT_ADDR=https://vault.acme.internal:8200\nexport VAULT_TOKEN={0}\nvault kv get secret/payments/stripe",
    [hvs_long])
dop = "dop_v1_" + pick(HEX, 64)
add("digitalocean-token", "provider",
    "doctl auth init --access-token {0} && doctl kubernetes cluster kubeconfig save acme-fra1",
    [dop])
mailgun = "key-" + pick(HEX, 32)
add("mailgun-api-key", "basic",
    "curl -s --user 'api:{0}' https://api.mailgun.net/v3/mg.acme.io/messages -F from='Acme <noreply@acme.io>' -F to=ann@example.com -F subject='Hello'",
    [mailgun])
mailgun_new = pick(HEX, 32) + "-" + pick(HEX, 8) + "-" + pick(HEX, 8)
add("mailgun-api-key-env", "env",
    "MAILGUN_DOMAIN=mg.acme.io\nMAILGUN_API_KEY={0}\nMAILGUN_REGION=eu",
    [mailgun_new])
square = "EAAAl" + pick(URLSAFE, 59)
add("square-access-token", "header",
    "Square webhook replay: Authorization: Bearer {0} Square-Version: 2024-06-04",
    [square])
square_old = "sq0atp-" + pick(URLSAFE, 22)
add("square-legacy-token", "provider",
    "old config still has square_access_token {0} from the 2019 integration",
    [square_old])
discord_id = str(rng.randint(10**17, 10**18 - 1))
discord = b64url(discord_id.encode()) + "." + pick(URLSAFE, 6) + "." + pick(URLSAFE, 38)
add("discord-bot-token", "provider",
    "import discord\nclient = discord.Client(intents=discord.Intents.default())\nclient.run('{0}')",
    [discord])
discord_hook = pick(URLSAFE, 68)
add("discord-webhook-url", "url",
    "Alerts go to https://discord.com/api/webhooks/" + pick(DIGITS, 19) + "/{0} (channel #prod-alerts)",
    [discord_hook])
telegram = pick(DIGITS, 10) + ":AA" + pick(URLSAFE, 33)
add("telegram-bot-token", "url",
    "requests.post(f\"https://api.telegram.org/bot{0}/sendMessage\", json={{\"chat_id\": -1001234567890, \"text\": msg}})",
    [telegram])
dd_api = pick(HEX, 32)
dd_app = pick(HEX, 40)
add("datadog-keys-env", "env",
    "DD_SITE=datadoghq.eu\nDD_API_KEY={0}\nDD_APP_KEY={1}\nDD_ENV=prod",
    [dd_api, dd_app])
linear = "lin_api_" + pick(ALNUM, 40)
add("linear-api-key", "header",
    "curl https://api.linear.app/graphql -H 'Content-Type: application/json' -H 'Authorization: {0}' --data '{{\"query\": \"{{ viewer {{ id }} }}\"}}'",
    [linear])
notion = "ntn_" + pick(DIGITS, 11) + pick(ALNUM, 35)
add("notion-integration-token", "provider",
    "Notion integration 'Docs sync' internal secret: {0} — shared with the wiki-bot only.",
    [notion])
groq = "gsk_" + pick(ALNUM, 52)
add("groq-api-key", "provider",
    "client = Groq(api_key=\"{0}\")",
    [groq])
replicate = "r8_" + pick(ALNUM, 37)
add("replicate-token", "env",
    "export REPLICATE_API_TOKEN={0}\nreplicate run stability-ai/sdxl",
    [replicate])
langsmith = "lsv2_pt_" + pick(HEX, 32) + "_" + pick(HEX, 10)
add("langsmith-api-key", "env",
    "LANGSMITH_TRACING=true LANGSMITH_API_KEY={0} LANGSMITH_PROJECT=agents python app.py",
    [langsmith])
langfuse = "sk-lf-" + str(uuid.UUID(bytes=rand_bytes(16), version=4))
add("langfuse-secret-key", "env",
    "LANGFUSE_PUBLIC_KEY=pk-lf-" + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + "\nLANGFUSE_SECRET_KEY={0}\nLANGFUSE_HOST=https://cloud.langfuse.com",
    [langfuse])
age = "AGE-SECRET-KEY-1" + pick("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".upper(), 58)
add("age-secret-key", "provider",
    "# created: 2025-04-01T10:00:00Z\n# public key: age1" + pick("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58) + "\n{0}",
    [age])
postman = "PMAK-" + pick(HEX, 24) + "-" + pick(HEX, 34)
add("postman-api-key", "header",
    "Collection runner logs: GET https://api.getpostman.com/collections X-Api-Key: {0} -> 200",
    [postman])
grafana = "glsa_" + pick(ALNUM, 32) + "_" + pick(HEX, 8)
add("grafana-service-account-token", "header",
    "curl -H \"Authorization: Bearer {0}\" https://grafana.acme.io/api/dashboards/uid/k8s-overview",
    [grafana])
newrelic = "NRAK-" + pick(UPPER + DIGITS, 27)
add("newrelic-user-key", "header",
    "NerdGraph call: curl https://api.newrelic.com/graphql -H 'API-Key: {0}' -d @query.json",
    [newrelic])
atlassian = "ATATT3xFfGF0" + pick(URLSAFE, 171) + "=" + pick(HEX.upper(), 8)  # 192 characters
add("atlassian-api-token", "basic",
    "curl -u ann@acme.io:{0} https://acme.atlassian.net/rest/api/3/issue/OPS-1432",
    [atlassian])

# Env-style assignments.
az_oai = pick(HEX, 32)
add("azure-openai-api-key-env", "env",
    "AZURE_OPENAI_ENDPOINT=https://acme-eastus.openai.azure.com/\nAZURE_OPENAI_API_KEY={0}\nAZURE_OPENAI_API_VERSION=2024-06-01",
    [az_oai])
db_pw = password(18)
add("db-password-dotenv", "env",
    "# .env for local dev\nDB_HOST=localhost\nDB_PORT=5432\nDB_USER=orders\nDB_PASSWORD={0}\nDB_NAME=orders_dev\nLOG_LEVEL=debug",
    [db_pw])
pg_pw = password(20)
add("postgres-password-compose", "env",
    "services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=app\n      - POSTGRES_PASSWORD={0}\n    ports:\n      - \"5432:5432\"",
    [pg_pw])
django = "django-insecure-" + pick(LOWER + DIGITS + "!@#$%^&*(-_=+)", 50)
add("django-secret-key", "env",
    "# settings.py\nDEBUG = False\nSECRET_KEY = '{0}'\nALLOWED_HOSTS = ['api.acme.io']",
    [django])
jwt_secret = pick(ALNUM, 48)
add("jwt-secret-env", "env",
    "kubectl set env deployment/auth JWT_SECRET={0} JWT_TTL=3600",
    [jwt_secret])
redis_pw = password(24)
add("redis-password-env", "env",
    "Error: NOAUTH Authentication required. REDIS_HOST=cache.internal REDIS_PASSWORD={0} REDIS_DB=2",
    [redis_pw])
mistral = pick(ALNUM, 32)
add("mistral-api-key-env", "env",
    "I have MISTRAL_API_KEY={0} in my shell but the SDK says the key is missing.",
    [mistral])
openai_env = "sk-proj-" + pick(URLSAFE, 74) + "T3BlbkFJ" + pick(URLSAFE, 74)
add("openai-key-export", "env",
    "echo 'export OPENAI_API_KEY=\"{0}\"' >> ~/.zshrc && source ~/.zshrc",
    [openai_env])
cf = pick(URLSAFE, 40)
add("cloudflare-token-env", "env",
    "CLOUDFLARE_API_TOKEN={0} wrangler deploy --env production",
    [cf])

# camelCase, kebab-case and header forms.
generic_api = pick(ALNUM, 40)
add("camel-apikey-yaml", "camel",
    "weatherProvider:\n  name: openweather\n  apiKey: {0}\n  units: metric\n  timeoutMs: 3000",
    [generic_api])
xapi = pick(ALNUM, 40)
add("x-api-key-header", "header",
    "> POST /v2/search HTTP/2\n> Host: api.vendor-search.com\n> x-api-key: {0}\n> content-type: application/json\n> user-agent: curl/8.5.0",
    [xapi])
opaque = pick(URLSAFE, 43)
add("bearer-opaque-token", "header",
    "Calling the internal billing API with Authorization: Bearer {0} gives 401 since the IdP migration.",
    [opaque])
basic_user, basic_pw = "svc-reporting", password(16)
basic = base64.b64encode(f"{basic_user}:{basic_pw}".encode()).decode()
add("basic-auth-header", "header",
    "GET /api/v1/reports/weekly HTTP/1.1\nHost: reports.acme.internal\nAuthorization: Basic {0}\nAccept: text/csv",
    [basic])
apim = pick(HEX, 32)
add("ocp-apim-subscription-key", "header",
    "curl -v -X GET \"https://westeurope.api.cognitive.microsoft.com/vision/v3.2/analyze?visualFeatures=Tags\" -H \"Ocp-Apim-Subscription-Key: {0}\"",
    [apim])
azure_client_secret = pick(ALNUM, 3) + "8Q~" + pick(URLSAFE + "~.", 34)
add("azure-ad-client-secret-json", "camel",
    '{{\n  "tenantId": "' + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + '",\n  "clientId": "' + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + '",\n  "clientSecret": "{0}",\n  "subscriptionId": "' + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + '"\n}}',
    [azure_client_secret])
oauth_secret = pick(URLSAFE, 40)
add("oauth-client-secret-form", "form",
    "POST /oauth/token body: grant_type=client_credentials&client_id=reporting-svc&client_secret={0}&audience=https%3A%2F%2Fapi.acme.io",
    [oauth_secret])
auth_tok = pick(HEX, 40)
add("x-auth-token-header", "header",
    "OpenStack returned 401 for X-Auth-Token: {0} on GET /v2.1/servers/detail",
    [auth_tok])
fb = "EAAB" + pick(ALNUM, 180)
add("access-token-query-param", "url",
    "https://graph.facebook.com/v19.0/me/accounts?access_token={0}&fields=name,id",
    [fb])
cli_pw = password(16)
add("cli-password-flag", "kebab",
    "docker login registry.acme.io --username ci --password={0}",
    [cli_pw])
cli_tok = pick(ALNUM, 36)
add("cli-token-flag", "kebab",
    "terraform-provider-acme: run `acme-cli deploy --api-token {0} --region fra1`",
    [cli_tok])
kebab_secret = pick(ALNUM + "/+", 40)
add("kebab-secret-key-yaml", "kebab",
    "minio:\n  endpoint: https://s3.acme.internal\n  access-key: backup-writer\n  secret-key: {0}\n  bucket: db-dumps",
    [kebab_secret])
json_pw = password(14)
add("json-password-field", "camel",
    'Config dump: {{"smtp": {{"host": "smtp.acme.io", "port": 587, "username": "alerts@acme.io", "password": "{0}", "starttls": true}}}}',
    [json_pw])
k8s_b64 = base64.b64encode(password(20).encode()).decode()
add("k8s-secret-data", "document",
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\ntype: Opaque\ndata:\n  username: b3JkZXJz\n  password: {0}",
    [k8s_b64])

# URL credentials.
add("postgres-url-password", "url",
    "psycopg2.OperationalError: connection to server failed for postgres://orders_svc:{0}@db-prod.internal:5432/orders?sslmode=require",
    ["Qm9/vR+e2xL7"])
redis_url_pw = pick(ALNUM, 16)
add("redis-url-password", "url",
    "CELERY_BROKER_URL=redis://:{0}@cache.internal:6379/0",
    [redis_url_pw])
mongo_pw = password(16).replace("@", "A").replace("/", "B").replace(":", "C")
add("mongodb-srv-url", "url",
    "client = MongoClient(\"mongodb+srv://admin:{0}@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority\")",
    [mongo_pw])
amqp_pw = pick(ALNUM, 20)
add("amqp-url", "url",
    "pika.exceptions.ProbableAuthenticationError for amqp://orders:{0}@rabbitmq.internal:5672/%2F",
    [amqp_pw])
https_pw = pick(ALNUM, 18)
add("https-userinfo-url", "url",
    "pip install --index-url https://deploy:{0}@artifactory.acme.io/api/pypi/pypi-local/simple acme-core==3.2.0",
    [https_pw])
mysql_url_pw = password(14).replace("@", "Z").replace("/", "Y").replace(":", "X").replace("?", "W").replace("#", "V")
add("mysql-url", "url",
    "DATABASE_URL=mysql://root:{0}@127.0.0.1:3306/app_production",
    [mysql_url_pw])
curl_pw = "S3cr3t-Adm1n!" + pick(DIGITS, 3)
add("curl-user-password", "basic",
    "curl -u admin:{0} https://jenkins.acme.io/job/deploy/lastBuild/api/json",
    [curl_pw])
cookie = pick(URLSAFE, 43)
add("cookie-session", "header",
    "Copied from devtools:\nCookie: session={0}; csrftoken=" + pick(ALNUM, 32) + "; theme=dark",
    [cookie])
set_cookie = pick(HEX, 64)
add("set-cookie-session", "header",
    "HTTP/1.1 302 Found\nLocation: /dashboard\nSet-Cookie: sessionid={0}; Path=/; HttpOnly; Secure; SameSite=Lax",
    [set_cookie])
mysql_pw = "W1nter#Is#Coming" + pick(DIGITS, 4)
add("mysql-p-flag", "cli",
    "mysql -h db01.internal -u root -p{0} app_production < migrations/0042_add_index.sql",
    [mysql_pw])
hex_key = pick(HEX, 40)
add("key-hex-in-error", "error",
    "upstream returned 403 Forbidden for GET /v1/forecast?city=Berlin with key={0}: key expired on 2025-05-31",
    [hex_key])
libpq_pw = password(16).replace("'", "x").replace(" ", "y")
add("libpq-connection-string", "config",
    "psql \"host=db-prod.internal port=5432 dbname=orders user=readonly password={0} sslmode=verify-full\"",
    [libpq_pw])
jdbc_pw = password(16).replace(";", "q")
add("jdbc-password", "config",
    "spring.datasource.url=jdbc:sqlserver://sql01.acme.internal:1433;databaseName=erp;user=sa;password={0};encrypt=true",
    [jdbc_pw])
sshpass_pw = password(14).replace("'", "x")
add("sshpass", "cli",
    "sshpass -p '{0}' ssh -o StrictHostKeyChecking=no deploy@10.0.12.7 'sudo systemctl restart api'",
    [sshpass_pw])
wifi_psk = password(16).replace('"', "x")
add("wpa-psk", "config",
    "network={{\n    ssid=\"Acme-Office\"\n    psk=\"{0}\"\n    key_mgmt=WPA-PSK\n}}",
    [wifi_psk])
git_cred = checksummed("ghp_")
add("git-credentials-file", "url",
    "~/.git-credentials:\nhttps://ann-acme:{0}@github.com",
    [git_cred])

# No marker at all: free text, no key=value shape. Allowed to pass; reported apart.
entries.append({"id": "free-text-password", "kind": "free", "text": "lol my password is hunter2 don't tell anyone", "secrets": ["hunter2"], "marker": False})
entries.append({"id": "free-text-wifi", "kind": "free", "text": "the guest wifi is BlueElephant77 today, it changes every Monday", "secrets": ["BlueElephant77"], "marker": False})
entries.append({"id": "free-text-passphrase", "kind": "free", "text": "I unlock the backup disk with correct-horse-battery-staple-42 every time", "secrets": ["correct-horse-battery-staple-42"], "marker": False})
entries.append({"id": "free-text-reused", "kind": "free", "text": "honestly I use Summer2024!Acme for everything at work", "secrets": ["Summer2024!Acme"], "marker": False})
entries.append({"id": "free-text-raw-hex-key", "kind": "free", "text": "here you go: " + (k := pick(HEX, 32)) + " (that's the one for prod)", "secrets": [k], "marker": False})

ids = [e["id"] for e in entries]
assert len(ids) == len(set(ids)), "duplicate ids"
for e in entries:
    for s in e["secrets"]:
        assert e["text"].count(s) == 1, e["id"]

# ---------------------------------------------------------------------------------------------
# Benign: ordinary agent traffic that must come through unchanged.

benign = []


def ok(kind, value):
    benign.append({"kind": kind, "value": value})


for _ in range(12):
    ok("uuid", str(uuid.UUID(bytes=rand_bytes(16), version=4)))
ok("uuid", "Order " + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + " was shipped on 2025-05-12.")
ok("uuid", "request_id=" + str(uuid.UUID(bytes=rand_bytes(16), version=4)))
for _ in range(8):
    ok("git-sha", pick(HEX, 40))
ok("git-sha", "commit " + pick(HEX, 40) + "\nAuthor: Ann Lee <ann@example.com>\nDate:   Tue May 13 14:02:11 2025 +0200\n\n    Fix off-by-one in the pagination cursor")
ok("git-sha", "Reverted " + pick(HEX, 7) + " and cherry-picked " + pick(HEX, 40) + " onto release/2.14")
ok("git-sha", "git checkout " + pick(HEX, 40) + " -- src/parser.rs")
ok("git-sha", "HEAD is now at " + pick(HEX, 7) + " Bump serde to 1.0.203")
for _ in range(6):
    ok("sha256", pick(HEX, 64))
ok("sha256", pick(HEX, 64) + "  acme-cli-2.3.1-x86_64-unknown-linux-gnu.tar.gz")
ok("sha256", "docker pull ghcr.io/acme/api@sha256:" + pick(HEX, 64))
ok("sha256", 'checksum = "' + pick(HEX, 64) + '"')
ok("sha256", "Content-Digest: sha-256=:" + base64.b64encode(rand_bytes(32)).decode() + ":")
ok("sha512", "integrity sha512-" + base64.b64encode(rand_bytes(64)).decode())
ok("md5", 'ETag: "' + pick(HEX, 32) + '"')
ok("md5", "md5sum: " + pick(HEX, 32) + "  report-2025-05.pdf")


def png_bytes(w, h):
    raw = b"".join(b"\x00" + rand_bytes(w * 3) for _ in range(h))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


ok("base64-image", "data:image/png;base64," + base64.b64encode(png_bytes(32, 32)).decode())
ok("base64-image", base64.b64encode(png_bytes(40, 30)).decode())
ok("base64-image", "data:image/png;base64," + base64.b64encode(png_bytes(24, 48)).decode())
ok("base64-image", '{"type": "image_url", "image_url": {"url": "data:image/png;base64,' + base64.b64encode(png_bytes(28, 28)).decode() + '"}}')
ok("base64", base64.b64encode(b"Hello from the summariser agent! Here is the weekly report.").decode())
ok("base64", "SGVsbG8gV29ybGQ=")

for v in ["90210338471625", "1712345678901234567", "4000000000", "18446744073709551615",
          "Order #100023945 confirmed", "tracking number 1Z999AA10123456784", "invoice INV-2025-000871",
          "3.141592653589793238462643383279", "6.02214076e23", "-273.15"]:
    ok("number", v)
for v in ["+1 (415) 555-0132", "+44 20 7946 0958", "030 1234567", "+49 151 23456789", "call me at 555-0199 after 5pm"]:
    ok("phone", v)
for v in ["2025-05-14T09:31:07.123Z", "2025-01-01T00:00:00+01:00", "2024-02-29", "1718000000", "Tue, 13 May 2025 14:02:11 GMT",
          "2025-05-14 09:31:07,412 INFO worker-2 job 8812 finished in 3.2s"]:
    ok("timestamp", v)

code = [
    "let max_tokens = 512;\nlet temperature = 0.2;\nlet request = Request { model, max_tokens, temperature };",
    "if password.len() < 8 {\n    return Err(ValidationError::TooShort);\n}",
    "fn hash_password(password: &str, salt: &[u8]) -> [u8; 32] {\n    argon2::hash_raw(password.as_bytes(), salt, &CONFIG).unwrap()\n}",
    "let token = lexer.next_token()?;\nmatch token.kind {\n    TokenKind::Ident => parse_ident(token),\n    _ => Err(unexpected(token)),\n}",
    "for (key, value) in map.iter() {\n    println!(\"{key}: {value}\");\n}",
    "let api_key = std::env::var(\"OPENAI_API_KEY\").expect(\"OPENAI_API_KEY is not set\");",
    "api_key = os.environ[\"OPENAI_API_KEY\"]\nclient = OpenAI(api_key=api_key)",
    "def count_tokens(text: str) -> int:\n    return len(enc.encode(text))",
    "tokens = tokenizer(text, return_tensors=\"pt\", max_length=512, truncation=True)",
    "password = getpass.getpass(\"Password: \")\nif not check_password(user, password):\n    raise PermissionError(\"bad credentials\")",
    "secret = load_secret(name=\"stripe\")  # fetched from the vault at startup",
    "headers = {\"Authorization\": f\"Bearer {token}\", \"Content-Type\": \"application/json\"}",
    "const token = await getAccessToken();\nconst res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });",
    "SELECT id, email, password_hash FROM users WHERE id = $1",
    "CREATE TABLE api_keys (id uuid PRIMARY KEY, user_id bigint NOT NULL, key_hash bytea NOT NULL, created_at timestamptz);",
    "#[derive(Deserialize)]\nstruct Config {\n    api_key: Option<String>,\n    max_retries: u32,\n}",
    "if !token.is_empty() && token.starts_with(\"sk-\") {\n    warn!(\"looks like an API key in the prompt\");\n}",
    "cache_key = f\"user:{user_id}:profile\"\nif (hit := cache.get(cache_key)) is not None:\n    return hit",
    "def rotate_key(old_key_id: str) -> str:\n    new_key = kms.create_key()\n    kms.schedule_deletion(old_key_id, days=7)\n    return new_key.id",
    "let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();\nkeys.sort_unstable();",
    "export PATH=\"$HOME/.cargo/bin:$PATH\"\nexport RUST_LOG=info",
    "password_field = page.locator(\"input[type=password]\")\npassword_field.fill(os.environ[\"TEST_USER_PASSWORD\"])",
    "assert response.json()[\"token_type\"] == \"Bearer\"",
    "x = {'key': 'value', 'keys': ['a', 'b']}",
    "docker run --rm -e RUST_LOG=debug -p 8080:8080 ghcr.io/acme/api:2.14.1",
    "kubectl get secret orders-db -o jsonpath='{.data.password}' | base64 -d",
    "git log --oneline -n 5 --author=ann",
    "curl -s https://api.github.com/repos/rust-lang/rust/releases/latest | jq -r .tag_name",
    "ssh -i ~/.ssh/id_ed25519 deploy@10.0.12.7 'uptime'",
    "openssl req -new -newkey rsa:2048 -nodes -keyout server.key -out server.csr",
]
for c in code:
    ok("code", c)

for v in ["https://docs.rs/serde/latest/serde/", "https://api.openai.com/v1/chat/completions",
          "https://github.com/acme/infra/pull/1432#discussion_r1602338", "https://example.com/search?q=rust+async+traits&page=2",
          "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/resolve/main/tokenizer.json",
          "https://platform.openai.com/docs/guides/text-generation#managing-tokens",
          "https://accounts.google.com/o/oauth2/v2/auth?client_id=1234.apps.googleusercontent.com&redirect_uri=https%3A%2F%2Fapp.acme.io%2Fcallback&response_type=code&scope=openid%20email&state=af0ifjsldkj",
          "https://acme.atlassian.net/browse/OPS-1432", "http://127.0.0.1:4318/v1/traces", "s3://acme-logs/2025/05/14/part-0001.parquet",
          "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://en.wikipedia.org/wiki/Public-key_cryptography",
          "postgres://db-prod.internal:5432/orders", "redis://cache.internal:6379/0", "https://acme.io/reset-password?step=2",
          "https://api.stripe.com/v1/payment_intents/pi_3PqR8sLkdIwHu7ix1a2b3c4d"]:
    ok("url", v)
for v in ["/home/ann/projects/agent/src/main.rs", "C:\\Users\\ann\\AppData\\Local\\Temp\\out.json",
          "~/.config/gcloud/application_default_credentials.json", "/etc/ssl/private/server.key", "~/.aws/credentials",
          "./secrets/README.md", "src/auth/token_refresh.rs:142:17", "/var/log/nginx/access.log.2.gz", "tests/data/openai/tool_call.json"]:
    ok("path", v)

json_values = [
    {"model": "gpt-4o-mini", "max_tokens": 512, "temperature": 0.2},
    {"usage": {"input_tokens": 1832, "output_tokens": 211, "cache_read_input_tokens": 1024}},
    {"table": "orders", "primary_key": "order_id", "columns": ["order_id", "customer_id", "total"]},
    {"cache_key": "user:42", "ttl_seconds": 300},
    {"type": "keypress", "key": "Enter"},
    {"key": "ArrowDown", "modifiers": ["shift"]},
    {"sort_key": "created_at", "order": "desc"},
    {"token_type": "Bearer", "expires_in": 3600, "scope": "read:orders"},
    {"tokenizer": "cl100k_base", "vocab_size": 100277},
    {"author": "Ann Lee", "title": "Pagination cursors", "keywords": ["api", "cursor"]},
    {"password_policy": {"min_length": 12, "require_digit": True, "max_age_days": 90}},
    {"passkey_enabled": True, "mfa": "totp"},
    {"secretary": "Jane Doe", "office": "Berlin"},
    {"tokens_used": 1234, "tokens_remaining": 98766},
    {"api_version": "2024-06-01", "deployment": "gpt-4o"},
    {"auth_method": "oauth2", "provider": "google"},
    {"keyboard_layout": "de", "monkey": "george", "turkey": "roasted"},
    {"id": "evt_1PqR8sLkdIwHu7ixAbCdEfGh", "type": "payment_intent.succeeded", "livemode": False},
    {"customer": "cus_NffrFeUfNV2Hib", "amount": 2000, "currency": "eur"},
    {"name": "get_weather", "description": "Gets the weather for a city.", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
    {"name": "create_user", "parameters": {"type": "object", "properties": {"email": {"type": "string"}, "password": {"type": "string", "minLength": 12}}}},
    {"role": "tool", "tool_call_id": "call_Jx8Qm2RkL0pZ4tVb6nYw9sEf", "content": "22°C, light rain"},
    {"file_id": "file-6F2ksmvXxt4VdaqDPuS3Wh", "purpose": "assistants"},
    {"trace_id": pick(HEX, 32), "span_id": pick(HEX, 16)},
    {"key_id": "mrk-1234abcd12ab34cd56ef1234567890ab", "key_state": "Enabled"},
    {"api_key_id": "key_01HZY3K7Q8", "last_used": "2025-05-13"},
    {"next_page_token": None, "results": []},
    {"session_timeout_minutes": 30, "remember_me": True},
]
for j in json_values:
    ok("json", json.dumps(j))

prose = [
    "You can reset your password from the settings page.",
    "The tokenizer splits text into tokens before the model sees it.",
    "Generate an API key in the dashboard and paste it into the CLI when it asks.",
    "Never share your password with anyone, not even support staff.",
    "Our token budget is 8k per request, so summarise long documents first.",
    "The secret to a good sourdough is patience and a warm kitchen.",
    "Press the Enter key to continue.",
    "Bearer bonds were popular in the 1980s.",
    "The key insight is that the cache must be invalidated on every write.",
    "If you forgot your password, click \"Forgot password?\" on the login screen.",
    "Rotate your API keys every 90 days and revoke the ones you no longer use.",
    "Each request costs about 1,200 input tokens and 200 output tokens.",
    "The access token expires after one hour; the refresh token lasts 30 days.",
    "Store secrets in a vault, never in the repository.",
    "Authentication failed: the password you entered is incorrect.",
    "Your session has expired, please log in again.",
    "The private key never leaves the hardware security module.",
    "Set the Authorization header to your token and retry the request.",
    "Keys are case-sensitive.",
    "Tokens such as 'the', 'cat' and 'sat' each map to an integer id.",
    "The password must be at least 12 characters long and contain a digit.",
    "A JWT has three parts separated by dots: header, payload and signature.",
    "Use SSH keys instead of passwords for the deploy user.",
    "The API key field is required.",
    "We use bcrypt to hash passwords with a cost of 12.",
    "The quick brown fox jumps over the lazy dog.",
    "I'd like to book a table for four at 7pm on Friday.",
    "Summarise the attached PDF in three bullet points.",
    "What is 17 * 23?",
    "17 * 23 = 391.",
    "The meeting moved to Thursday 14:00 CET, room Aurora.",
    "Der Schlüssel liegt unter der Fußmatte.",
    "東京の天気は晴れです。",
    "Ça marche, je vous envoie le devis demain.",
    "The answer is 42 🎉",
    "Thanks! The token refresh bug is fixed in v2.14.1.",
    "Please authenticate with your company SSO account.",
    "Our primary key is a UUID, not an auto-increment integer.",
    "The function returns a secret-free copy of the config for logging.",
    "Passwords are compared in constant time to avoid timing attacks.",
]
for p in prose:
    ok("prose", p)

for v in ["gpt-4o-mini-2024-07-18", "claude-sonnet-4-5-20250929", "meta-llama/Llama-3.1-8B-Instruct", "text-embedding-3-small",
          "mistral-large-latest", "gemini-1.5-pro-002", "o3-mini", "gpt-4.1-nano", "sentence-transformers/all-MiniLM-L6-v2",
          "Qwen/Qwen2.5-Coder-32B-Instruct"]:
    ok("model", v)
for v in ["call_abc123", "call_" + pick(ALNUM, 24), "call_" + pick(ALNUM, 24), "toolu_01" + pick(ALNUM, 22), "toolu_01" + pick(ALNUM, 22),
          "chatcmpl-" + pick(ALNUM, 29), "msg_01" + pick(ALNUM, 22), "run_" + pick(ALNUM, 24), "thread_" + pick(ALNUM, 24),
          "asst_" + pick(ALNUM, 24), "batch_" + pick(HEX, 32), "resp_" + pick(HEX, 48), "fc_" + pick(HEX, 48)]:
    ok("tool-call-id", v)
for _ in range(3):
    ok("trace-id", pick(HEX, 32))
for _ in range(2):
    ok("span-id", pick(HEX, 16))
ok("traceparent", "00-" + pick(HEX, 32) + "-" + pick(HEX, 16) + "-01")
ok("traceparent", "traceparent: 00-" + pick(HEX, 32) + "-" + pick(HEX, 16) + "-01")
for v in ["1.2.3", "v0.14.0-beta.2+build.5", "2.14.1", "rustc 1.82.0 (f6e511eec 2024-10-15)", "Python 3.11.7", "node v20.12.2"]:
    ok("semver", v)
for v in ["ann@example.com", "Ann Lee <ann.lee@acme.io>", "noreply+alerts@mg.acme.io", "support@acme.io"]:
    ok("email", v)
for v in ["10.0.12.7", "192.168.1.1:8080", "2001:db8::8a2e:370:7334", "00:1A:2B:3C:4D:5E", "api.acme.internal", "localhost:4318"]:
    ok("network", v)
for v in ["arn:aws:iam::123456789012:role/ci-deployer", "arn:aws:s3:::acme-backups-eu/*", "us-east-1", "i-0abcd1234efgh5678",
          "projects/acme-analytics-prod/locations/europe-west1/functions/loader",
          "/subscriptions/" + str(uuid.UUID(bytes=rand_bytes(16), version=4)) + "/resourceGroups/rg-prod/providers/Microsoft.Storage/storageAccounts/acmeprodlogs"]:
    ok("cloud-id", v)
ok("public-key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + pick(B64, 43) + " ann@laptop")
pub = run(["openssl", "genpkey", "-algorithm", "ed25519"])
pubkey = subprocess.run(["openssl", "pkey", "-pubout"], input=pub, capture_output=True, text=True, check=True).stdout.strip()
ok("public-key", pubkey)
for v in ["#ff8800", "rgb(12, 34, 56)", "C024BE91L", "U01ABCDEF23", "dQw4w9WgXcQ", "ISBN 978-3-16-148410-0", "DE89 3704 0044 0532 0130 00",
          "ORD-7F3K-9QX2", "PROJ-1432", "A1B2C3", "node_modules/.pnpm/lodash@4.17.21", "lodash@^4.17.21"]:
    ok("identifier", v)
ok("csv", "date,region,revenue\n2025-05-01,EU,10234.50\n2025-05-01,US,20411.00\n2025-05-02,EU,9876.25")
ok("markdown", "| model | input tokens | output tokens |\n|---|---|---|\n| gpt-4o-mini | 1832 | 211 |\n| claude-sonnet-4-5 | 2011 | 187 |")
ok("yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:2.14.1\n          envFrom:\n            - secretRef:\n                name: api-secrets")
ok("log", "2025-05-14T09:31:07Z INFO auth: token refresh scheduled in 300s for user 42")
ok("log", "2025-05-14T09:31:08Z WARN auth: password reset requested for ann@example.com")
ok("log", "GET /api/v1/orders?page=2&per_page=50 200 12.3ms")
ok("log", "thread 'main' panicked at src/main.rs:42:5:\ncalled `Option::unwrap()` on a `None` value")
ok("log", "error[E0382]: borrow of moved value: `token`\n --> src/lexer.rs:88:20")
ok("toml", '[dependencies]\nserde = { version = "1", features = ["derive"] }\ntokio = { version = "1.38", features = ["full"] }')
ok("env", "RUST_LOG=info\nPORT=8080\nDATABASE_HOST=db.internal\nMAX_TOKENS=4096")
ok("env", "OPENAI_BASE_URL=http://127.0.0.1:8799/v1")

with open(os.path.join(HERE, "secrets.json"), "w") as f:
    json.dump(entries, f, indent=1, ensure_ascii=False)
    f.write("\n")
with open(os.path.join(HERE, "benign.json"), "w") as f:
    json.dump(benign, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{sum(e['marker'] for e in entries)} marker-bearing secret entries, "
      f"{sum(not e['marker'] for e in entries)} without a marker, {len(benign)} benign values")
