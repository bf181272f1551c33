#!/usr/bin/env python3
"""Generate the held-out secret-scrubbing corpus (secrets.json, benign.json).

Written independently of the scrubber's rules and of tests/data/secrets/: secrets are fake
values in the providers' real formats and lengths, embedded in the text an agent really sees;
benign values are ordinary agent traffic that must come through unchanged.

Run: python3 generate.py   (deterministic: fixed seed)
"""
import base64
import hashlib
import json
import os
import random
import string
import textwrap
import uuid

SEED = 20240917
rng = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))

UP = string.ascii_uppercase
LO = string.ascii_lowercase
DI = string.digits
AN = UP + LO + DI
HEX = "0123456789abcdef"
B64 = AN + "+/"
B64U = AN + "-_"


def pick(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hexs(n):
    return pick(HEX, n)


def an(n):
    return pick(AN, n)


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def rbytes(n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def b64url_nopad(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def password(n=16, special="!%^*-_."):
    """A strong password: letters, digits and a couple of specials, always mixed."""
    while True:
        s = pick(AN + special, n)
        if (any(c in UP for c in s) and any(c in LO for c in s) and any(c in DI for c in s)
                and (not special or any(c in special for c in s)) and s[0] in AN):
            return s


def jwt(payload, sig_bytes=32):
    h = b64url_nopad(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    p = b64url_nopad(json.dumps(payload, separators=(",", ":")).encode())
    return f"{h}.{p}.{b64url_nopad(rbytes(sig_bytes))}"


def pem(kind, nbytes):
    body = base64.b64encode(rbytes(nbytes)).decode()
    lines = textwrap.wrap(body, 64)
    return (f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----", "\n".join(lines))


def aws_key_id(prefix="AKIA"):
    return prefix + pick(UP + "234567", 16)


def aws_secret():
    return pick(AN + "+/", 40)


# ---------------------------------------------------------------------------------------------
# Secrets. Each builder returns (text, secret); marker says whether the secret is recognisable by
# its format or by a nearby key-like word/assignment.
# ---------------------------------------------------------------------------------------------
SECRETS = []


def S(provider, context, marker):
    def deco(fn):
        text, secret = fn()
        assert secret in text, (provider, context)
        SECRETS.append({"id": f"s{len(SECRETS) + 1:03d}", "provider": provider, "context": context,
                        "marker": marker, "secret": secret, "text": text})
        return fn
    return deco


def openai_proj():
    return "sk-proj-" + pick(B64U, 74) + "T3BlbkFJ" + pick(B64U, 74)


def openai_legacy():
    return "sk-" + an(20) + "T3BlbkFJ" + an(20)


def anthropic():
    return "sk-ant-api03-" + pick(B64U, 93) + "AA"


@S("OpenAI", ".env", True)
def _():
    k = openai_proj()
    return (f"# local dev settings\nNODE_ENV=development\nPORT=3000\nOPENAI_API_KEY={k}\nOPENAI_MODEL=gpt-4o-mini\n", k)


@S("OpenAI", "python code", True)
def _():
    k = openai_proj()
    return (f"from openai import OpenAI\n\nclient = OpenAI(api_key=\"{k}\")\nresp = client.chat.completions.create(model=\"gpt-4o\", messages=msgs)\n", k)


@S("OpenAI", "chat message", True)
def _():
    k = openai_legacy()
    return (f"I keep getting 401 Unauthorized even though I copied it straight from the dashboard: {k} -- is the org wrong?", k)


@S("OpenAI", "HTTP dump", True)
def _():
    k = "sk-svcacct-" + pick(B64U, 74) + "T3BlbkFJ" + pick(B64U, 74)
    return ("POST /v1/embeddings HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {k}\r\nUser-Agent: OpenAI/Python 1.51.0\r\n\r\n{{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}}", k)


@S("Anthropic", "shell command", True)
def _():
    k = anthropic()
    return (f"$ export ANTHROPIC_API_KEY={k}\n$ python agent.py --model claude-3-5-sonnet-latest\nStarting agent...", k)


@S("Anthropic", "curl", True)
def _():
    k = anthropic()
    return ("curl https://api.anthropic.com/v1/messages \\\n  -H \"content-type: application/json\" \\\n"
            f"  -H \"x-api-key: {k}\" \\\n  -H \"anthropic-version: 2023-06-01\" \\\n"
            "  -d '{\"model\": \"claude-3-5-haiku-latest\", \"max_tokens\": 256, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}'", k)


@S("Anthropic", "stack trace with locals", True)
def _():
    k = anthropic()
    return ("Traceback (most recent call last):\n  File \"/app/llm.py\", line 42, in call_model\n    return client.messages.create(**kwargs)\n"
            "  File \"/usr/lib/python3.11/site-packages/anthropic/_base_client.py\", line 1049, in request\n    raise self._make_status_error_from_response(err.response) from None\n"
            f"anthropic.AuthenticationError: Error code: 401\n\nLocals at frame call_model:\n    api_key = '{k}'\n    model = 'claude-3-opus-20240229'", k)


@S("Cohere", "docker-compose", True)
def _():
    k = an(40)
    return ("services:\n  rag:\n    image: ghcr.io/acme/rag:1.4.2\n    environment:\n"
            f"      CO_API_KEY: {k}\n      VECTOR_DB: qdrant\n    ports:\n      - \"8080:8080\"\n", k)


@S("Cohere", "YAML config", True)
def _():
    k = an(40)
    return f"reranker:\n  provider: cohere\n  model: rerank-english-v3.0\n  api_key: {k}\n  top_n: 5\n", k


@S("Mistral", "TOML config", True)
def _():
    k = an(32)
    return f"[llm]\nprovider = \"mistral\"\nmodel = \"mistral-large-latest\"\n\n[llm.mistral]\napi_key = \"{k}\"\ntimeout = 30\n", k


@S("Mistral", "shell command", True)
def _():
    k = an(32)
    return (f"curl --location \"https://api.mistral.ai/v1/models\" --header \"Authorization: Bearer {k}\"", k)


@S("Groq", "JSON config", True)
def _():
    k = "gsk_" + an(52)
    return json.dumps({"providers": {"groq": {"apiKey": k, "model": "llama-3.1-70b-versatile"}}, "temperature": 0.2}, indent=2), k


@S("Groq", "log line", True)
def _():
    k = "gsk_" + an(52)
    return (f"2024-09-12T10:14:03.221Z DEBUG llm.router: selected backend=groq model=mixtral-8x7b-32768 key={k} latency_budget_ms=800", k)


@S("Together", "Kubernetes Secret", True)
def _():
    k = "tgp_v1_" + pick(B64U, 43)
    return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: together-credentials\n  namespace: inference\ntype: Opaque\nstringData:\n"
            f"  TOGETHER_API_KEY: \"{k}\"\n", k)


@S("Together", "INI config", True)
def _():
    k = hexs(64)
    return f"[default]\nbase_url = https://api.together.xyz/v1\napi_key = {k}\nmodel = meta-llama/Llama-3-70b-chat-hf\n", k


@S("Perplexity", "curl", True)
def _():
    k = "pplx-" + an(48)
    return ("curl --request POST --url https://api.perplexity.ai/chat/completions "
            f"--header 'Authorization: Bearer {k}' --header 'Content-Type: application/json' --data '{{\"model\": \"sonar\"}}'", k)


@S("Pinecone", "python code", True)
def _():
    k = "pcsk_" + an(5) + "_" + an(63)
    return f"from pinecone import Pinecone\n\npc = Pinecone(api_key=\"{k}\")\nindex = pc.Index(\"docs-prod\")\n", k


@S("Pinecone", ".env", True)
def _():
    k = uid()
    return f"PINECONE_ENVIRONMENT=us-west1-gcp\nPINECONE_API_KEY={k}\nPINECONE_INDEX=support-articles\n", k


@S("Weaviate", "python code", True)
def _():
    k = an(40)
    return ("import weaviate\nfrom weaviate.classes.init import Auth\n\nclient = weaviate.connect_to_weaviate_cloud(\n"
            "    cluster_url=\"https://rag-demo-x1y2z3.c0.europe-west3.gcp.weaviate.cloud\",\n"
            f"    auth_credentials=Auth.api_key(\"{k}\"),\n)\n", k)


@S("Qdrant", "python code", True)
def _():
    k = pick(B64U, 54)
    return ("from qdrant_client import QdrantClient\n\nqdrant = QdrantClient(\n    url=\"https://7c1f0a2b-aaaa-bbbb-cccc-0123456789ab.eu-central.aws.cloud.qdrant.io:6333\",\n"
            f"    api_key=\"{k}\",\n)\n", k)


@S("ElevenLabs", "HTTP dump", True)
def _():
    k = "sk_" + hexs(48)
    return ("POST /v1/text-to-speech/21m00Tcm4TlvDq8ikWAM HTTP/1.1\nHost: api.elevenlabs.io\n"
            f"xi-api-key: {k}\nAccept: audio/mpeg\nContent-Type: application/json\n\n{{\"text\": \"Welcome back!\", \"model_id\": \"eleven_multilingual_v2\"}}", k)


@S("Deepgram", "curl", True)
def _():
    k = hexs(40)
    return ("curl -X POST \"https://api.deepgram.com/v1/listen?model=nova-2&smart_format=true\" "
            f"-H \"Authorization: Token {k}\" -H \"Content-Type: audio/wav\" --data-binary @call.wav", k)


@S("AssemblyAI", "python code", True)
def _():
    k = hexs(32)
    return f"import assemblyai as aai\n\naai.settings.api_key = \"{k}\"\ntranscriber = aai.Transcriber()\ntranscript = transcriber.transcribe(\"./meeting.mp3\")\n", k


@S("Stripe", ".env", True)
def _():
    k = "sk_live_51" + an(97)
    return f"STRIPE_PUBLISHABLE_KEY=pk_live_51{an(97)}\nSTRIPE_SECRET_KEY={k}\nSTRIPE_API_VERSION=2024-06-20\n", k


@S("Stripe", "chat message", True)
def _():
    k = "rk_live_51" + an(97)
    return (f"Found it. The restricted one that the billing worker uses is {k} and it only has read access to charges.", k)


@S("Stripe", "log line", True)
def _():
    k = "whsec_" + an(32)
    return (f"[webhooks] INFO verifying Stripe-Signature header using endpoint secret {k} (tolerance=300s)", k)


@S("Twilio", "docker-compose", True)
def _():
    k = hexs(32)
    return ("version: \"3.9\"\nservices:\n  notifier:\n    build: .\n    environment:\n"
            f"      - TWILIO_ACCOUNT_SID=AC{hexs(32)}\n      - TWILIO_AUTH_TOKEN={k}\n      - TWILIO_FROM=+15005550006\n", k)


@S("Twilio", "python code", True)
def _():
    k = hexs(32)
    return (f"from twilio.rest import Client\n\naccount_sid = \"AC{hexs(32)}\"\nauth_token = \"{k}\"\nclient = Client(account_sid, auth_token)\n"
            "message = client.messages.create(body=\"Your order shipped\", from_=\"+15017122661\", to=\"+15558675310\")\n", k)


@S("SendGrid", "JSON tool output", True)
def _():
    k = "SG." + pick(B64U, 22) + "." + pick(B64U, 43)
    return json.dumps({"tool": "read_file", "path": "config/mail.json",
                       "content": {"provider": "sendgrid", "api_key": k, "from": "noreply@acme.io"}}), k


@S("Mailchimp", "node code", True)
def _():
    k = hexs(32) + "-us21"
    return ("const mailchimp = require(\"@mailchimp/mailchimp_marketing\");\n\nmailchimp.setConfig({\n"
            f"  apiKey: \"{k}\",\n  server: \"us21\",\n}});\n", k)


@S("Postmark", "HTTP dump", True)
def _():
    k = uid()
    return ("POST /email HTTP/1.1\nHost: api.postmarkapp.com\nAccept: application/json\nContent-Type: application/json\n"
            f"X-Postmark-Server-Token: {k}\n\n{{\"From\": \"sender@example.com\", \"To\": \"receiver@example.com\", \"Subject\": \"Hi\"}}", k)


@S("GitHub", "git remote", True)
def _():
    k = "ghp_" + an(36)
    return (f"$ git remote -v\norigin\thttps://{k}@github.com/acme/platform.git (fetch)\norigin\thttps://{k}@github.com/acme/platform.git (push)", k)


@S("GitHub", "GitHub Actions YAML", True)
def _():
    k = "github_pat_" + an(22) + "_" + an(59)
    return ("name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    env:\n"
            f"      GH_TOKEN: {k}\n    steps:\n      - uses: actions/checkout@v4\n      - run: gh release create ${{{{ github.ref_name }}}}\n", k)


@S("GitHub", "gh hosts.yml", True)
def _():
    k = "gho_" + an(36)
    return f"github.com:\n    user: octo-dev\n    oauth_token: {k}\n    git_protocol: https\n", k


@S("GitHub", "CI log", True)
def _():
    k = "ghs_" + an(36)
    return (f"[command]/usr/bin/git -c http.extraheader=\"AUTHORIZATION: basic ***\" fetch https://x-access-token:{k}@github.com/acme/infra\n"
            "remote: Enumerating objects: 1204, done.", k)


@S("GitLab", "curl", True)
def _():
    k = "glpat-" + pick(B64U, 20)
    return f"curl --header \"PRIVATE-TOKEN: {k}\" \"https://gitlab.com/api/v4/projects/4211/merge_requests?state=opened\"", k


@S("Bitbucket", "shell command", True)
def _():
    k = "ATBB" + an(28) + pick("0123456789ABCDEF", 8)
    return f"git clone https://jdoe:{k}@bitbucket.org/acme/mobile-app.git", k


@S("Atlassian", ".env", True)
def _():
    k = "ATATT3xFfGF0" + pick(B64U, 170) + "=" + pick("0123456789ABCDEF", 8)
    return f"JIRA_BASE_URL=https://acme.atlassian.net\nJIRA_EMAIL=bot@acme.io\nJIRA_API_TOKEN={k}\n", k


@S("Azure", "connection string", True)
def _():
    k = base64.b64encode(rbytes(64)).decode()
    return (f"DefaultEndpointsProtocol=https;AccountName=acmeprodlogs;AccountKey={k};EndpointSuffix=core.windows.net", k)


@S("Azure", "python code", True)
def _():
    k = hexs(32)
    return ("from openai import AzureOpenAI\n\nclient = AzureOpenAI(\n    azure_endpoint=\"https://acme-eastus.openai.azure.com/\",\n"
            f"    api_key=\"{k}\",\n    api_version=\"2024-02-01\",\n)\n", k)


@S("Azure", "Terraform tfvars", True)
def _():
    k = an(3) + "8Q~" + pick(AN + "~._-", 34)
    return f"tenant_id       = \"{uid()}\"\nclient_id       = \"{uid()}\"\nclient_secret   = \"{k}\"\nsubscription_id = \"{uid()}\"\n", k


@S("Azure", "SAS URL", True)
def _():
    sig = base64.b64encode(rbytes(32)).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (f"Downloading https://acmeexports.blob.core.windows.net/reports/q3.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-12-31T23:59:59Z&st=2024-09-01T00:00:00Z&spr=https&sig={sig}", sig)


@S("GCP/Firebase", "JS code", True)
def _():
    k = "AIza" + pick(B64U, 35)
    return ("const firebaseConfig = {\n"
            f"  apiKey: \"{k}\",\n  authDomain: \"acme-app.firebaseapp.com\",\n  projectId: \"acme-app\",\n  storageBucket: \"acme-app.appspot.com\",\n}};", k)


@S("GCP", "service account JSON", True)
def _():
    full, body = pem("PRIVATE KEY", 1216)
    doc = {"type": "service_account", "project_id": "acme-ml", "private_key_id": hexs(40), "private_key": full + "\n",
           "client_email": "trainer@acme-ml.iam.gserviceaccount.com", "client_id": pick(DI, 21),
           "token_uri": "https://oauth2.googleapis.com/token"}
    text = json.dumps(doc, indent=2)
    secret = json.dumps(body)[1:-1]  # the body as it is written inside the JSON text (\n escapes)
    return text, secret


@S("GCP", "OAuth client JSON", True)
def _():
    k = "GOCSPX-" + pick(B64U, 28)
    return json.dumps({"installed": {"client_id": pick(DI, 12) + "-" + pick(LO + DI, 32) + ".apps.googleusercontent.com",
                                     "project_id": "acme-desktop", "client_secret": k,
                                     "redirect_uris": ["http://localhost"]}}), k


@S("AWS", "credentials INI", True)
def _():
    k = aws_secret()
    return f"[default]\naws_access_key_id = {aws_key_id()}\naws_secret_access_key = {k}\nregion = eu-west-1\n", k


@S("AWS", "Terraform", True)
def _():
    k = aws_secret()
    return ("provider \"aws\" {\n  region     = \"us-east-1\"\n"
            f"  access_key = \"{aws_key_id()}\"\n  secret_key = \"{k}\"\n}}\n", k)


@S("AWS", "shell command", True)
def _():
    k = aws_secret()
    return f"AWS_ACCESS_KEY_ID={aws_key_id()} AWS_SECRET_ACCESS_KEY={k} aws s3 sync ./dist s3://acme-static --delete", k


@S("AWS", "access key id in log", True)
def _():
    k = aws_key_id()
    return (f"botocore.exceptions.ClientError: An error occurred (InvalidAccessKeyId) when calling the PutObject operation: The AWS Access Key Id you provided does not exist in our records. (key: {k})", k)


@S("AWS", "env output", True)
def _():
    k = "FwoGZXIvYXdzE" + pick(B64, 343)
    return (f"$ env | grep AWS\nAWS_REGION=us-west-2\nAWS_ACCESS_KEY_ID={aws_key_id('ASIA')}\nAWS_SESSION_TOKEN={k}\n", k)


@S("Cloudflare", ".env", True)
def _():
    k = pick(B64U, 40)
    return f"# wrangler\nCLOUDFLARE_ACCOUNT_ID={hexs(32)}\nCLOUDFLARE_API_TOKEN={k}\n", k


@S("Cloudflare", "curl", True)
def _():
    k = hexs(37)
    return ("curl -X GET \"https://api.cloudflare.com/client/v4/zones\" -H \"X-Auth-Email: ops@acme.io\" "
            f"-H \"X-Auth-Key: {k}\" -H \"Content-Type: application/json\"", k)


@S("Vercel", "CLI flag", True)
def _():
    k = an(24)
    return f"npx vercel deploy --prod --yes --token {k} --scope acme-team", k


@S("Netlify", ".env", True)
def _():
    k = "nfp_" + an(36)
    return f"NETLIFY_SITE_ID={uid()}\nNETLIFY_AUTH_TOKEN={k}\n", k


@S("Heroku", ".netrc", True)
def _():
    k = uid()
    return f"machine api.heroku.com\n  login dev@acme.io\n  password {k}\nmachine git.heroku.com\n  login dev@acme.io\n  password {k}\n", k


@S("Heroku", "shell command", True)
def _():
    k = "HRKU-AA" + pick(B64U, 58)
    return f"$ HEROKU_API_KEY={k} heroku ps -a acme-api\n=== web (Standard-1X): npm start (2)", k


@S("Fly.io", "GitHub Actions YAML", True)
def _():
    k = "FlyV1 fm2_" + pick(B64, 300)
    return ("      - uses: superfly/flyctl-actions/setup-flyctl@master\n      - run: flyctl deploy --remote-only\n        env:\n"
            f"          FLY_API_TOKEN: \"{k}\"\n", k)


@S("Supabase", "CLI flag", True)
def _():
    k = "sbp_" + hexs(40)
    return f"$ supabase login --token {k}\nYou are now logged in. Happy coding!", k


@S("Supabase", ".env JWT", True)
def _():
    k = jwt({"iss": "supabase", "ref": pick(LO, 20), "role": "service_role", "iat": 1716200000, "exp": 2031776000})
    return f"NEXT_PUBLIC_SUPABASE_URL=https://{pick(LO, 20)}.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={k}\n", k


@S("Firebase", "HTTP dump", True)
def _():
    k = "AAAA" + pick(B64U, 7) + ":APA91b" + pick(B64U, 134)
    return ("POST /fcm/send HTTP/1.1\nHost: fcm.googleapis.com\nContent-Type: application/json\n"
            f"Authorization: key={k}\n\n{{\"to\": \"/topics/news\", \"notification\": {{\"title\": \"Hi\"}}}}", k)


@S("MongoDB Atlas", "python code", True)
def _():
    k = password(20, "")
    return (f"from pymongo import MongoClient\n\nclient = MongoClient(\"mongodb+srv://app_user:{k}@cluster0.x7k2p.mongodb.net/shop?retryWrites=true&w=majority\")\ndb = client.shop\n", k)


@S("PlanetScale", "connection string", True)
def _():
    k = "pscale_pw_" + pick(B64U, 43)
    return f"DATABASE_URL='mysql://p4x9k2m1q8z3:{k}@aws.connect.psdb.cloud/inventory?sslaccept=strict'", k


@S("PlanetScale", ".env", True)
def _():
    k = "pscale_tkn_" + pick(B64U, 43)
    return f"PLANETSCALE_SERVICE_TOKEN_ID={pick(LO + DI, 12)}\nPLANETSCALE_SERVICE_TOKEN={k}\n", k


@S("Sentry", "JS code DSN", True)
def _():
    k = hexs(32)
    return (f"Sentry.init({{\n  dsn: \"https://{k}@o450{pick(DI, 4)}.ingest.us.sentry.io/450{pick(DI, 13)}\",\n  tracesSampleRate: 0.1,\n}});", k)


@S("Sentry", ".env auth token", True)
def _():
    k = "sntrys_" + b64url_nopad(json.dumps({"iat": 1717000000.1, "url": "https://sentry.io", "region_url": "https://us.sentry.io", "org": "acme"}).encode()) + "_" + pick(B64U, 43)
    return f"SENTRY_ORG=acme\nSENTRY_PROJECT=web\nSENTRY_AUTH_TOKEN={k}\n", k


@S("Datadog", "docker-compose", True)
def _():
    k = hexs(32)
    return ("  datadog:\n    image: gcr.io/datadoghq/agent:7\n    environment:\n"
            f"      - DD_API_KEY={k}\n      - DD_SITE=datadoghq.eu\n      - DD_APM_ENABLED=true\n", k)


@S("Datadog", "curl", True)
def _():
    k = hexs(40)
    return ("curl -X GET \"https://api.datadoghq.com/api/v1/monitor\" "
            f"-H \"DD-API-KEY: ${{DD_API_KEY}}\" -H \"DD-APPLICATION-KEY: {k}\"", k)


@S("New Relic", "Terraform", True)
def _():
    k = "NRAK-" + pick(UP + DI, 27)
    return f"provider \"newrelic\" {{\n  account_id = 3141592\n  api_key    = \"{k}\"\n  region     = \"US\"\n}}\n", k


@S("New Relic", "YAML config", True)
def _():
    k = hexs(36) + "NRAL"
    return f"common: &default_settings\n  license_key: '{k}'\n  app_name: Checkout Service\n  distributed_tracing:\n    enabled: true\n", k


@S("Okta", "HTTP dump", True)
def _():
    k = "00" + pick(B64U, 40)
    return ("GET /api/v1/users?limit=25 HTTP/1.1\nHost: acme.okta.com\nAccept: application/json\n"
            f"Authorization: SSWS {k}\n", k)


@S("Auth0", "JSON config", True)
def _():
    k = pick(B64U, 64)
    return json.dumps({"domain": "acme.eu.auth0.com", "client_id": an(32), "client_secret": k,
                       "audience": "https://api.acme.io"}, indent=2), k


@S("PEM", "tool output (cat id_rsa)", True)
def _():
    full, body = pem("RSA PRIVATE KEY", 1190)
    return f"$ cat ~/.ssh/deploy_rsa\n{full}\n$ ", body


@S("PEM", "chat message (OpenSSH)", True)
def _():
    full, body = pem("OPENSSH PRIVATE KEY", 400)
    return f"can you figure out why ssh says 'invalid format' for this key?\n\n{full}\n\nthanks!", body


@S("PEM", "Kubernetes TLS Secret", True)
def _():
    full, body = pem("EC PRIVATE KEY", 121)
    ind = "\n".join("    " + l for l in full.splitlines())
    return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: ingress-tls\ntype: kubernetes.io/tls\nstringData:\n"
            "  tls.crt: |\n    -----BEGIN CERTIFICATE-----\n    MIIBszCCAVmgAwIBAgIU...\n    -----END CERTIFICATE-----\n"
            f"  tls.key: |\n{ind}\n", body.replace("\n", "\n    "))


@S("JWT", "log line", True)
def _():
    k = jwt({"sub": uid(), "email": "maria@acme.io", "scope": "read:orders write:orders", "iat": 1726131200, "exp": 1726134800})
    return f"10.0.3.17 - - [12/Sep/2024:10:20:01 +0000] \"GET /api/orders HTTP/1.1\" 200 5123 \"-\" \"axios/1.7.2\" auth=\"Bearer {k}\"", k


@S("JWT", "cookie header", True)
def _():
    k = jwt({"uid": 48213, "role": "admin", "iat": 1726131200})
    return f"GET /dashboard HTTP/2\nHost: app.acme.io\nCookie: theme=dark; access_token={k}; _ga=GA1.2.12345.67890\n", k


@S("Basic auth", "HTTP dump", True)
def _():
    k = base64.b64encode(f"svc-reporting:{password(18)}".encode()).decode()
    return f"GET /metrics HTTP/1.1\nHost: prometheus.internal:9090\nAuthorization: Basic {k}\nAccept: */*\n", k


@S("Cookie", "HTTP response", True)
def _():
    k = pick(LO + DI, 32)
    return f"HTTP/1.1 302 Found\nLocation: /home\nSet-Cookie: sessionid={k}; Path=/; HttpOnly; Secure; SameSite=Lax\nContent-Length: 0\n", k


@S("Cookie", "curl", True)
def _():
    k = "s%3A" + pick(B64U, 32) + "." + pick(B64U, 43)
    return f"curl -s 'https://shop.acme.io/api/cart' -b 'connect.sid={k}' -H 'accept: application/json'", k


@S("URL password", "docker-compose", True)
def _():
    k = password(20, "")
    return f"services:\n  api:\n    image: acme/api:2.3\n    environment:\n      DATABASE_URL: postgres://app:{k}@db:5432/app\n    depends_on: [db]\n", k


@S("URL password", "log line", True)
def _():
    k = password(18, "")
    return f"[2024-09-12 10:31:55,002] WARNING celery.worker: broker connection lost, reconnecting to redis://:{k}@cache.internal:6379/0 in 2.00 seconds", k


@S("URL password", "stack trace", True)
def _():
    k = password(16, "")
    return ("Exception in thread \"main\" com.rabbitmq.client.AuthenticationFailureException: ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.\n"
            f"\tat com.rabbitmq.client.impl.AMQConnection.start(AMQConnection.java:385)\n\tat com.acme.queue.Publisher.connect(Publisher.java:58) [uri=amqp://orders:{k}@mq.internal:5672/prod]", k)


@S("Password", "INI config", True)
def _():
    k = password(18)
    return f"[database]\nhost = db.internal\nport = 5432\nuser = reporting\npassword = {k}\nsslmode = require\n", k


@S("Password", "Spring application.yml", True)
def _():
    k = password(18)
    return f"spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/orders\n    username: orders\n    password: \"{k}\"\n  jpa:\n    open-in-view: false\n", k


@S("Password", "TOML config", True)
def _():
    k = password(20)
    return f"[server]\nbind = \"0.0.0.0:8080\"\n\n[database]\nuser = \"api\"\npassword = \"{k}\"\npool_size = 16\n", k


@S("Password", ".env", True)
def _():
    k = password(16)
    return f"DB_HOST=localhost\nDB_USER=wp\nDB_PASSWORD={k}\nDB_NAME=wordpress\n", k


@S("Password", "JSON tool call", True)
def _():
    k = password(14)
    return json.dumps({"name": "login", "arguments": {"username": "admin@acme.io", "password": k, "remember": True}}), k


@S("Password", "Maven settings.xml", True)
def _():
    k = password(18)
    return ("<settings>\n  <servers>\n    <server>\n      <id>acme-releases</id>\n      <username>deployer</username>\n"
            f"      <password>{k}</password>\n    </server>\n  </servers>\n</settings>", k)


@S("Password", "mysql CLI", True)
def _():
    k = password(16)
    return f"mysql -h prod-db.internal -u root -p'{k}' -e 'SHOW PROCESSLIST;'", k


@S("Password", "docker login CLI", True)
def _():
    k = password(20, "")
    return f"$ docker login registry.acme.io -u ci-bot --password {k}\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded", k


@S("Password", "PGPASSWORD", True)
def _():
    k = password(16)
    return f"PGPASSWORD={k} psql -h 10.0.0.12 -U analytics -d warehouse -c '\\dt'", k


@S("Password", "python code", True)
def _():
    k = password(16)
    return f"import psycopg2\n\nDB_PASS = \"{k}\"\nconn = psycopg2.connect(host=\"db\", user=\"etl\", password=DB_PASS, dbname=\"dw\")\n", k


@S("Hard-coded key", "Go code", True)
def _():
    k = pick(B64U, 32)
    return f"package auth\n\nconst apiSecret = \"{k}\"\n\nfunc Sign(msg []byte) []byte {{\n\treturn hmacSHA256([]byte(apiSecret), msg)\n}}\n", k


@S("Password", "Java properties", True)
def _():
    k = password(16)
    return f"jdbc.driverClassName=org.postgresql.Driver\njdbc.url=jdbc:postgresql://db:5432/crm\njdbc.username=crm\njdbc.password={k}\n", k


@S("Password", "Helm values", True)
def _():
    k = password(22, "")
    return f"grafana:\n  enabled: true\n  adminUser: admin\n  adminPassword: {k}\n  persistence:\n    enabled: true\n", k


@S("Password", "Kubernetes Secret data (base64)", True)
def _():
    k = base64.b64encode(password(18).encode()).decode()
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\ndata:\n  username: cG9zdGdyZXM=\n  password: {k}\n", k


@S("Password", "docker-compose", True)
def _():
    k = password(20, "")
    return f"  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_PASSWORD: {k}\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n", k


@S("Password", "Terraform", True)
def _():
    k = password(20, "")
    return ("resource \"aws_db_instance\" \"main\" {\n  engine            = \"postgres\"\n  instance_class    = \"db.t3.medium\"\n"
            f"  username          = \"dbadmin\"\n  password          = \"{k}\"\n  allocated_storage = 50\n}}\n", k)


@S("Slack", "webhook URL", True)
def _():
    k = an(24)
    return f"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T{pick(UP + DI, 8)}/B{pick(UP + DI, 10)}/{k}", k


@S("Slack", "bot token in code", True)
def _():
    k = f"xoxb-{pick(DI, 12)}-{pick(DI, 13)}-{an(24)}"
    return f"from slack_sdk import WebClient\nclient = WebClient(token=\"{k}\")\nclient.chat_postMessage(channel=\"#alerts\", text=\"deploy done\")\n", k


@S("npm", ".npmrc", True)
def _():
    k = "npm_" + an(36)
    return f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={k}\nsave-exact=true\n", k


@S("PyPI", ".pypirc", True)
def _():
    k = "pypi-AgEIcHlwaS5vcmc" + pick(B64U, 150)
    return f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {k}\n", k


@S("Hugging Face", "shell command", True)
def _():
    k = "hf_" + pick(UP + LO, 34)
    return f"$ huggingface-cli login --token {k} --add-to-git-credential\nToken is valid (permission: write).", k


@S("Stripe", "python code", True)
def _():
    k = "sk_test_51" + an(97)
    return f"import stripe\nstripe.api_key = \"{k}\"\nstripe.PaymentIntent.create(amount=2000, currency=\"usd\")\n", k


@S("Anthropic", "JSON chat message", True)
def _():
    k = anthropic()
    return json.dumps({"role": "user", "content": f"my script fails with this key {k}, what's wrong?"}), k


@S("GitLab", ".gitlab-ci.yml", True)
def _():
    k = "glpat-" + pick(B64U, 20)
    return f"deploy:\n  stage: deploy\n  variables:\n    GITLAB_TOKEN: \"{k}\"\n  script:\n    - ./scripts/release.sh\n", k


@S("Password", "XML web.config", True)
def _():
    k = password(16)
    return (f"<connectionStrings>\n  <add name=\"Default\" connectionString=\"Server=sql01;Database=Shop;User Id=shop_app;Password={k};\" providerName=\"System.Data.SqlClient\" />\n</connectionStrings>", k)


@S("Password", "sshpass CLI", True)
def _():
    k = password(14)
    return f"sshpass -p '{k}' ssh -o StrictHostKeyChecking=no deploy@10.20.0.5 'sudo systemctl restart api'", k


@S("Password", "chat: told in prose with key word", True)
def _():
    k = password(14)
    return f"Hey, the password for the staging admin panel is {k} -- please don't share it outside the team.", k


@S("Token", "Rust code", True)
def _():
    k = pick(B64U, 40)
    return f"let client = reqwest::Client::new();\nlet resp = client\n    .get(\"https://api.internal.acme.io/v2/reports\")\n    .bearer_auth(\"{k}\")\n    .send()\n    .await?;\n", k


# --- no-marker secrets: free text, neither a known format nor a key-like word nearby ---------

@S("Free text", "chat: wifi", False)
def _():
    k = "Bluebird-Harbor-" + pick(DI, 4) + pick("!?#", 1)
    return f"We're in meeting room 4B. The network is ACME-Guest and it's {k} if your laptop asks.", k


@S("Free text", "chat: bare pasted string", False)
def _():
    k = an(40)
    return f"Here's the string from the settings page, just paste it into the box on the left: {k}", k


@S("Free text", "chat: admin account", False)
def _():
    k = password(14)
    return f"sign in as ops-admin and use {k}, then rotate it from the profile page when you're done", k


@S("Free text", "email: recovery words", False)
def _():
    words = ["maple", "orbit", "canyon", "velvet", "pistol", "hollow", "tundra", "lemon", "harbor", "quartz", "ember", "saddle"]
    rng.shuffle(words)
    k = " ".join(words)
    return f"Write these twelve words down and keep them offline, in this order:\n\n{k}\n\nAnyone who has them controls the wallet.", k


@S("Free text", "transcript", False)
def _():
    k = password(12, "") + "!"
    return f"[00:14:22] Speaker 2: yeah so just type {k} when it prompts you and you're in, I set that up last night.", k


@S("Free text", "chat: lock code", False)
def _():
    k = pick(DI, 4) + "-" + pick(DI, 4) + "-" + pick(DI, 4)
    return f"The door at the loading dock opens with {k}, the old one stopped working after the renovation.", k


@S("Free text", "tool output: bare hex", False)
def _():
    k = hexs(40)
    return f"Copied to clipboard. Paste this into the dashboard under Integrations > Custom to link the workspace:\n{k}", k


@S("Free text", "chat: personal", False)
def _():
    k = "Ferreira" + pick(DI, 4) + "#" + pick(UP, 2)
    return f"it's my mum's maiden name then the year we moved plus the symbols, so {k}. I use it for the bank too, I know, I know.", k


@S("Free text", "note", False)
def _():
    k = password(18, "")
    return f"NOTE TO SELF: new one for the NAS is {k} (changed 12 Sept). Old one retired.", k


@S("Free text", "chat: bare long base64url", False)
def _():
    k = pick(B64U, 48)
    return f"ok I regenerated it, the new one is {k} -- the previous one should stop working in an hour", k


@S("Free text", "support ticket", False)
def _():
    k = password(16, "")
    return f"Customer wrote: \"I can't get into my account. I've been typing {k} and it just says try again. Please help!\"", k


@S("Free text", "chat: bare uuid-ish", False)
def _():
    k = uid().replace("-", "")
    return f"Give this to the vendor so they can turn on the integration for us: {k}", k


# ---------------------------------------------------------------------------------------------
# Benign values
# ---------------------------------------------------------------------------------------------
BENIGN = []


def B(category, text):
    BENIGN.append({"id": f"b{len(BENIGN) + 1:03d}", "category": category, "text": text})


prose_security = [
    "Never share your password with anyone, including people claiming to be from IT.",
    "Your password must be at least 12 characters long and include a number and a symbol.",
    "To reset your password, click 'Forgot password?' on the login page and follow the emailed link.",
    "API keys should be stored in a secrets manager rather than committed to the repository.",
    "The access token expires after one hour; use the refresh token to obtain a new one.",
    "We rotate our signing keys every 90 days and publish the public keys at the JWKS endpoint.",
    "Authentication failed because the token was missing from the request.",
    "Cookies are small pieces of data that a website stores in your browser to remember you.",
    "This site uses cookies to keep you signed in and to understand how you use our service.",
    "A secret key is used to sign session cookies so that clients cannot tamper with them.",
    "OAuth 2.0 separates the role of the client from that of the resource owner.",
    "Tokenization splits text into tokens; GPT-4o uses the o200k_base tokenizer.",
    "The prompt used 1,243 input tokens and 312 output tokens, costing about $0.004.",
    "If you lose your API key, revoke it in the dashboard and create a new one.",
    "Two-factor authentication adds a second step after you enter your password.",
    "The primary key of the orders table is a composite of tenant_id and order_id.",
    "Press the Escape key to close the dialog, or Enter to confirm.",
    "The secret to a good sourdough is a long, cold fermentation.",
    "Basic authentication sends credentials base64-encoded, so always use it over HTTPS.",
    "Set the Authorization header to 'Bearer' followed by your token.",
    "Passwords are hashed with Argon2id using a per-user salt before being stored.",
    "The keyboard shortcut for searching is Ctrl+K on Windows and Cmd+K on macOS.",
    "Please keep your credentials confidential and report any suspected compromise immediately.",
    "Our password policy forbids reusing any of your last five passwords.",
    "The session cookie is marked HttpOnly and Secure, and SameSite is set to Lax.",
    "The model answered: I can't help you recover someone else's password, but I can explain how account recovery works.",
    "Key takeaways: revenue grew 14%, churn fell to 2.1%, and the secret sauce was onboarding.",
    "A password manager generates a unique password for each site so one breach doesn't expose the others.",
    "The JWT contains three parts separated by dots: header, payload and signature.",
    "Token budget exceeded: the context window of 128k tokens was reached, truncating older messages.",
    "The auth service returned 403 Forbidden because the user lacks the billing:write scope.",
    "Store the key in an environment variable named OPENAI_API_KEY and never hard-code it.",
    "In public-key cryptography the private key stays with its owner and the public key is shared.",
    "The key signature of the piece is B-flat major, with two flats.",
    "Tip: you can generate a new personal access token under Settings > Developer settings.",
    "I forgot my password again, can you remind me how the reset flow works?",
    "The secret santa draw will happen on Friday; budget is 20 euros.",
    "To authenticate, the CLI opens a browser window and waits for you to approve the login.",
    "Tokens are case-sensitive, so copy them exactly as shown.",
    "The vault is sealed; an operator must provide three of five unseal keys to open it.",
    "Clearing your cookies will sign you out of most websites.",
    "The password field was left blank, so the form was rejected.",
    "Each API key is scoped to a single project and can be restricted to specific models.",
    "If the token is invalid or expired, the server responds with HTTP 401 and a WWW-Authenticate header.",
    "Do not paste secrets into chat; use the secure upload link instead.",
    "The hardware security key supports FIDO2 and works over USB-C and NFC.",
    "Key: red = failing, amber = degraded, green = healthy.",
    "The cookie banner now lets users reject all non-essential cookies with one click.",
]
for t in prose_security:
    B("prose about security", t)

prose_general = [
    "Sure! Here's a summary of the meeting: the team agreed to ship the beta on October 3rd.",
    "I couldn't find any flights under $400, but there's a 6:45 AM departure for $432.",
    "The capital of Australia is Canberra, not Sydney.",
    "Let me search the docs for that. One moment.",
    "Based on the search results, the library was first released in 2016 and is maintained by a small team.",
    "Here are three options for the tagline:\n1. Build faster.\n2. Ship with confidence.\n3. Less glue, more product.",
    "The function returns None when the list is empty, which is why you see the TypeError on line 14.",
    "Thanks! That fixed it. Can you also add a unit test for the empty case?",
    "I've updated the README with installation instructions and a quick-start example.",
    "The weather in Lisbon tomorrow: 24°C, sunny, light wind from the north-west.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "Your order #48213 has shipped and should arrive between Tuesday and Thursday.",
    "The PR looks good overall. A few nits: rename `tmp` to something descriptive and drop the unused import.",
    "Step 1: preheat the oven to 200°C. Step 2: roast the vegetables for 35 minutes.",
    "According to the 2023 annual report, headcount grew from 1,240 to 1,415.",
    "I'm not sure what you mean by 'the usual one'. Could you clarify which report you need?",
    "Translation (FR): Le rapport sera prêt demain matin.",
    "日本語のテキストもそのまま通過する必要があります。",
    "Emoji test: 🚀 deployed, ✅ tests passing, ⚠️ one flaky check.",
    "The quick brown fox jumps over the lazy dog.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.",
    "The meeting has been moved to Thursday at 15:30 CET in room Galileo.",
    "You asked for a haiku:\nautumn logs scroll by\na single warning blinks red\nthe pager stays calm",
    "Final answer: 42.",
    "The customer's name is Maria Oliveira and she prefers to be contacted by email.",
]
for t in prose_general:
    B("prose", t)

code = [
    ("python", "def get_token(client_id: str, client_secret: str) -> str:\n    resp = requests.post(TOKEN_URL, data={\"grant_type\": \"client_credentials\", \"client_id\": client_id, \"client_secret\": client_secret})\n    resp.raise_for_status()\n    return resp.json()[\"access_token\"]\n"),
    ("python", "api_key = os.environ[\"OPENAI_API_KEY\"]\nclient = OpenAI(api_key=api_key)\n"),
    ("python", "password = getpass.getpass(\"Password: \")\nif not check_password(user, password):\n    raise PermissionError(\"invalid credentials\")\n"),
    ("python", "for key, value in sorted(config.items()):\n    print(f\"{key} = {value}\")\n"),
    ("python", "token = request.headers.get(\"Authorization\", \"\").removeprefix(\"Bearer \")\nif not token:\n    return JSONResponse({\"error\": \"missing token\"}, status_code=401)\n"),
    ("python", "secret = settings.SECRET_KEY\nsigner = TimestampSigner(secret)\nvalue = signer.sign(user_id)\n"),
    ("python", "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12))\nuser.password_hash = hashed\n"),
    ("python", "tokens = tokenizer.encode(text)\nif len(tokens) > max_tokens:\n    tokens = tokens[:max_tokens]\n"),
    ("python", "cache = {}\ndef memo(key):\n    if key not in cache:\n        cache[key] = compute(key)\n    return cache[key]\n"),
    ("python", "class Settings(BaseSettings):\n    database_url: str\n    api_key: SecretStr\n    debug: bool = False\n\n    model_config = SettingsConfigDict(env_file=\".env\")\n"),
    ("javascript", "const token = localStorage.getItem('token');\nfetch('/api/me', { headers: { Authorization: `Bearer ${token}` } })\n  .then(r => r.json())\n  .then(console.log);\n"),
    ("javascript", "app.use(session({\n  secret: process.env.SESSION_SECRET,\n  resave: false,\n  saveUninitialized: false,\n  cookie: { secure: true, httpOnly: true }\n}));\n"),
    ("javascript", "const apiKey = process.env.STRIPE_SECRET_KEY;\nif (!apiKey) throw new Error('STRIPE_SECRET_KEY is not set');\nconst stripe = new Stripe(apiKey);\n"),
    ("javascript", "export function parseCookies(header) {\n  return Object.fromEntries(header.split('; ').map(c => c.split('=')));\n}\n"),
    ("typescript", "interface Credentials {\n  username: string;\n  password: string;\n}\n\nasync function login(creds: Credentials): Promise<Session> {\n  const res = await api.post<Session>('/auth/login', creds);\n  return res.data;\n}\n"),
    ("typescript", "const key = `${tenantId}:${userId}`;\nconst cached = await redis.get(key);\n"),
    ("typescript", "type TokenUsage = { promptTokens: number; completionTokens: number; totalTokens: number };\n"),
    ("go", "func authMiddleware(next http.Handler) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\ttoken := r.Header.Get(\"Authorization\")\n\t\tif !validate(token) {\n\t\t\thttp.Error(w, \"unauthorized\", http.StatusUnauthorized)\n\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n"),
    ("go", "apiKey := os.Getenv(\"DD_API_KEY\")\nif apiKey == \"\" {\n\tlog.Fatal(\"DD_API_KEY must be set\")\n}\n"),
    ("go", "for key, val := range m {\n\tfmt.Printf(\"%s=%v\\n\", key, val)\n}\n"),
    ("rust", "let token = std::env::var(\"GITHUB_TOKEN\").expect(\"GITHUB_TOKEN not set\");\nlet client = Octocrab::builder().personal_token(token).build()?;\n"),
    ("rust", "fn verify(password: &str, hash: &PasswordHash) -> bool {\n    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()\n}\n"),
    ("rust", "let mut map: HashMap<String, usize> = HashMap::new();\nfor word in text.split_whitespace() {\n    *map.entry(word.to_string()).or_insert(0) += 1;\n}\n"),
    ("rust", "#[derive(Deserialize)]\nstruct Config {\n    api_key: Option<String>,\n    endpoint: Url,\n    timeout_secs: u64,\n}\n"),
    ("java", "String password = new String(console.readPassword(\"Enter password: \"));\nif (!authService.authenticate(username, password)) {\n    throw new AuthenticationException(\"Bad credentials\");\n}\n"),
    ("java", "@Value(\"${jwt.secret}\")\nprivate String jwtSecret;\n\npublic String generateToken(UserDetails user) {\n    return Jwts.builder().subject(user.getUsername()).signWith(getSigningKey()).compact();\n}\n"),
    ("csharp", "var apiKey = Environment.GetEnvironmentVariable(\"AZURE_OPENAI_KEY\");\nvar client = new OpenAIClient(new Uri(endpoint), new AzureKeyCredential(apiKey));\n"),
    ("ruby", "def authenticate!\n  token = request.headers['Authorization']&.split(' ')&.last\n  head :unauthorized unless ApiToken.active.exists?(digest: Digest::SHA256.hexdigest(token.to_s))\nend\n"),
    ("php", "$password = $_POST['password'] ?? '';\nif (password_verify($password, $user['password_hash'])) {\n    $_SESSION['user_id'] = $user['id'];\n}\n"),
    ("bash", "#!/usr/bin/env bash\nset -euo pipefail\n: \"${API_TOKEN:?API_TOKEN must be set}\"\ncurl -fsS -H \"Authorization: Bearer ${API_TOKEN}\" \"$BASE_URL/health\"\n"),
    ("bash", "read -rsp 'Password: ' password; echo\nprintf '%s' \"$password\" | docker login --username \"$USER\" --password-stdin registry.example.com\n"),
    ("kotlin", "val token = prefs.getString(\"auth_token\", null) ?: return null\nval request = Request.Builder().url(url).header(\"Authorization\", \"Bearer $token\").build()\n"),
    ("swift", "let query: [String: Any] = [kSecClass as String: kSecClassGenericPassword, kSecAttrAccount as String: account, kSecReturnData as String: true]\nSecItemCopyMatching(query as CFDictionary, &item)\n"),
    ("python", "import hmac, hashlib\n\ndef sign(secret: bytes, body: bytes) -> str:\n    return hmac.new(secret, body, hashlib.sha256).hexdigest()\n"),
    ("python", "parser.add_argument(\"--api-key\", default=os.getenv(\"API_KEY\"), help=\"API key (defaults to $API_KEY)\")\nparser.add_argument(\"--password\", help=\"database password; prefer PGPASSWORD\")\n"),
    ("javascript", "const { data: { session } } = await supabase.auth.getSession();\nconst accessToken = session?.access_token;\n"),
    ("python", "assert verify_token(token) is False, \"expired token must be rejected\"\n"),
    ("yaml-code", "- name: Log in to registry\n  uses: docker/login-action@v3\n  with:\n    registry: ghcr.io\n    username: ${{ github.actor }}\n    password: ${{ secrets.GITHUB_TOKEN }}\n"),
    ("python", "keys = list(d.keys())\nvalues = [d[k] for k in keys]\nprint(dict(zip(keys, values)))\n"),
    ("c", "int check_password(const char *input, const char *stored_hash) {\n    char computed[65];\n    sha256_hex(input, computed);\n    return constant_time_eq(computed, stored_hash);\n}\n"),
    ("python", "self.secret_name = f\"projects/{project}/secrets/{name}/versions/latest\"\nresponse = client.access_secret_version(request={\"name\": self.secret_name})\n"),
    ("sql-code", "UPDATE users SET password_hash = $1, password_changed_at = now() WHERE id = $2;"),
]
for lang, t in code:
    B(f"code ({lang})", t)

# JSON tool calls and results
for i in range(12):
    call_id = "call_" + an(24)
    args = rng.choice([
        {"query": "latest quarterly revenue for ACME", "top_k": 5},
        {"city": "Berlin", "units": "metric"},
        {"path": "src/main.rs", "start_line": 1, "end_line": 80},
        {"sql": "SELECT id, status FROM orders WHERE created_at > '2024-09-01' LIMIT 50"},
        {"url": "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)"},
        {"to": "maria@example.com", "subject": "Your invoice", "body": "Please find attached."},
    ])
    B("JSON tool call", json.dumps({"id": call_id, "type": "function",
                                    "function": {"name": rng.choice(["search", "get_weather", "read_file", "run_sql", "fetch_url", "send_email"]),
                                                 "arguments": json.dumps(args)}}))
tool_results = [
    {"temperature": 18.4, "condition": "partly cloudy", "humidity": 0.62, "wind_kph": 11},
    {"results": [{"title": "Q3 results", "url": "https://investors.acme.io/q3", "snippet": "Revenue rose 12%..."}], "total": 1},
    {"rows": [[1, "shipped"], [2, "pending"], [3, "cancelled"]], "columns": ["id", "status"], "row_count": 3},
    {"status": "ok", "token_count": 1532, "truncated": False},
    {"authenticated": True, "user": {"id": 4821, "name": "Maria", "roles": ["viewer"]}, "expires_in": 3600},
    {"error": {"type": "invalid_request_error", "code": "invalid_api_key", "message": "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."}},
    {"password_policy": {"min_length": 12, "require_symbol": True, "max_age_days": 90}},
    {"keys": ["alpha", "beta", "gamma"], "count": 3},
    {"secret_exists": True, "secret_name": "prod/db/password", "version": 7, "rotation_enabled": True},
    {"cookie_consent": {"necessary": True, "analytics": False, "marketing": False}},
    {"usage": {"prompt_tokens": 812, "completion_tokens": 164, "total_tokens": 976}, "model": "gpt-4o-2024-08-06"},
    {"files": ["README.md", "src/lib.rs", "Cargo.toml"], "truncated": False},
    {"token_type": "Bearer", "expires_in": 3599, "scope": "read write", "access_token": "<redacted by server>"},
    {"ok": True, "ts": "1726135012.000200", "channel": "C05ABCD1234"},
]
for r in tool_results:
    B("JSON tool result", json.dumps(r))
    B("JSON tool result (pretty)", json.dumps(r, indent=2))
B("JSON chat messages", json.dumps([{"role": "system", "content": "You are a helpful assistant."},
                                     {"role": "user", "content": "How do I rotate my API key safely?"},
                                     {"role": "assistant", "content": "Create a new key, deploy it, then revoke the old one."}]))
B("JSON chat messages", json.dumps({"model": "claude-3-5-sonnet-latest", "max_tokens": 1024,
                                    "messages": [{"role": "user", "content": [{"type": "text", "text": "Explain cookies vs tokens."}]}]}))

schemas = [
    {"type": "object", "properties": {"username": {"type": "string"}, "password": {"type": "string", "format": "password", "minLength": 12}}, "required": ["username", "password"]},
    {"name": "create_api_key", "description": "Create a new API key for the current project", "parameters": {"type": "object", "properties": {"name": {"type": "string"}, "scopes": {"type": "array", "items": {"type": "string"}}}}},
    {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "TokenUsage", "type": "object", "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}}},
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string", "description": "City and country"}}, "required": ["location"]}}},
    {"openapi": "3.1.0", "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}, "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}}},
    {"type": "object", "properties": {"secret": {"type": "string", "description": "Name of the secret in the vault (not its value)"}, "version": {"type": "integer"}}},
    {"type": "object", "properties": {"cookie": {"type": "string", "writeOnly": True}, "token": {"type": "string", "writeOnly": True}}, "additionalProperties": False},
    {"name": "lookup_order", "input_schema": {"type": "object", "properties": {"order_id": {"type": "string", "pattern": "^ord_[a-zA-Z0-9]{14}$"}}}},
    {"type": "array", "items": {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": "string"}}}},
    {"title": "LoginForm", "type": "object", "properties": {"email": {"type": "string", "format": "email"}, "password": {"type": "string"}, "otp": {"type": "string", "pattern": "^[0-9]{6}$"}}},
]
for s in schemas:
    B("JSON schema", json.dumps(s, indent=2))

configs = [
    ("env", "OPENAI_API_KEY=${OPENAI_API_KEY}\nANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}\nLOG_LEVEL=info\n"),
    ("env", "# copy to .env and fill in\nSTRIPE_SECRET_KEY=\nSTRIPE_WEBHOOK_SECRET=\nDATABASE_URL=postgres://localhost:5432/dev\n"),
    ("env", "API_KEY=<your-api-key>\nAPI_SECRET=<your-api-secret>\n"),
    ("env", "PASSWORD=***\nTOKEN=********\n"),
    ("yaml", "llm:\n  provider: openai\n  api_key: ${OPENAI_API_KEY}\n  model: gpt-4o\n"),
    ("yaml", "database:\n  host: localhost\n  port: 5432\n  user: postgres\n  password: <your-password>\n"),
    ("yaml", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password\n"),
    ("yaml", "steps:\n  - run: npm publish\n    env:\n      NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n"),
    ("yaml", "auth:\n  enabled: true\n  method: oidc\n  issuer: https://accounts.google.com\n  token_ttl: 1h\n"),
    ("yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n"),
    ("yaml", "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets:\n      - db_password\nsecrets:\n  db_password:\n    file: ./db_password.txt\n"),
    ("toml", "[package]\nname = \"token-counter\"\nversion = \"0.3.1\"\nedition = \"2021\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\ntiktoken-rs = \"0.5\"\n"),
    ("toml", "[auth]\nprovider = \"github\"\ntoken_env = \"GITHUB_TOKEN\"\n\n[cache]\nkey_prefix = \"v2\"\nttl_seconds = 600\n"),
    ("ini", "[client]\nuser = reporting\npassword = \nhost = localhost\n"),
    ("ini", "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n[remote \"origin\"]\n\turl = git@github.com:acme/platform.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"),
    ("terraform", "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n\nresource \"aws_db_instance\" \"main\" {\n  password = var.db_password\n}\n"),
    ("terraform", "data \"aws_secretsmanager_secret_version\" \"api\" {\n  secret_id = \"prod/api-key\"\n}\n"),
    ("json", json.dumps({"apiKey": "YOUR_API_KEY_HERE", "endpoint": "https://api.example.com"}, indent=2)),
    ("json", json.dumps({"compilerOptions": {"target": "ES2022", "module": "NodeNext", "strict": True, "outDir": "dist"}}, indent=2)),
    ("json", json.dumps({"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"}}}}, indent=2)),
    ("xml", "<configuration>\n  <appSettings>\n    <add key=\"Environment\" value=\"Production\" />\n    <add key=\"MaxRetries\" value=\"3\" />\n  </appSettings>\n</configuration>"),
    ("xml", "<server>\n  <id>central</id>\n  <username>${env.MAVEN_USER}</username>\n  <password>${env.MAVEN_PASSWORD}</password>\n</server>"),
    ("nginx", "server {\n    listen 443 ssl;\n    server_name api.acme.io;\n    ssl_certificate     /etc/ssl/certs/api.crt;\n    ssl_certificate_key /etc/ssl/private/api.key;\n    location / { proxy_pass http://127.0.0.1:8080; }\n}\n"),
    ("properties", "spring.datasource.url=jdbc:postgresql://localhost:5432/app\nspring.datasource.username=${DB_USER}\nspring.datasource.password=${DB_PASSWORD}\n"),
    ("dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]\n"),
    ("ssh config", "Host bastion\n  HostName 203.0.113.10\n  User ubuntu\n  IdentityFile ~/.ssh/id_ed25519\n  ForwardAgent no\n"),
    ("yaml", "# Set your key with: export COHERE_API_KEY=...\nreranker:\n  model: rerank-v3.5\n  top_n: 3\n"),
    ("env", "SECRET_KEY=\"{{ vault_secret_key }}\"\nJWT_SECRET=%JWT_SECRET%\n"),
    ("yaml", "password_policy:\n  min_length: 14\n  require_uppercase: true\n  require_digit: true\n  history: 5\n"),
]
for kind, t in configs:
    B(f"config without secrets ({kind})", t)

urls = [
    "https://platform.openai.com/docs/guides/function-calling",
    "https://docs.anthropic.com/en/api/messages",
    "https://github.com/acme/platform/pull/1423/files#diff-3f2a",
    "https://www.google.com/search?q=how+to+reset+password&hl=en",
    "https://example.com/reset-password?email=maria%40example.com",
    "https://api.github.com/repos/rust-lang/rust/issues?state=open&per_page=50",
    "postgres://localhost:5432/dev",
    "redis://cache.internal:6379/0",
    "https://s3.eu-west-1.amazonaws.com/acme-public/logo.png",
    "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
    "mongodb://db1.internal:27017,db2.internal:27017/?replicaSet=rs0",
    "https://acme.atlassian.net/browse/PLAT-4211",
    "https://accounts.google.com/o/oauth2/v2/auth?client_id=1234567890-abc.apps.googleusercontent.com&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&response_type=code&scope=openid%20email&state=af0ifjsldkj",
    "git@github.com:acme/platform.git",
    "https://user@example.com/repo.git",
]
for u in urls:
    B("URL without credentials", u)


def ulid():
    return pick("0123456789ABCDEFGHJKMNPQRSTVWXYZ", 26)


id_makers = [
    ("UUID", lambda: uid()),
    ("ULID", ulid),
    ("git SHA", lambda: hexs(40)),
    ("short git SHA", lambda: hexs(7)),
    ("sha256", lambda: hashlib.sha256(rbytes(16)).hexdigest()),
    ("md5", lambda: hashlib.md5(rbytes(16)).hexdigest()),
    ("trace id", lambda: hexs(32)),
    ("span id", lambda: hexs(16)),
    ("traceparent", lambda: f"00-{hexs(32)}-{hexs(16)}-01"),
    ("Stripe customer id", lambda: "cus_" + an(14)),
    ("Stripe payment intent id", lambda: "pi_3" + an(23)),
    ("Stripe event id", lambda: "evt_1" + an(23)),
    ("Stripe charge id", lambda: "ch_3" + an(23)),
    ("Stripe subscription id", lambda: "sub_1" + an(23)),
    ("Stripe invoice id", lambda: "in_1" + an(23)),
    ("OpenAI chat completion id", lambda: "chatcmpl-" + an(29)),
    ("OpenAI tool call id", lambda: "call_" + an(24)),
    ("OpenAI file id", lambda: "file-" + an(22)),
    ("OpenAI assistant id", lambda: "asst_" + an(24)),
    ("OpenAI thread id", lambda: "thread_" + an(24)),
    ("OpenAI run id", lambda: "run_" + an(24)),
    ("OpenAI batch id", lambda: "batch_" + hexs(32)),
    ("Anthropic message id", lambda: "msg_01" + an(22)),
    ("Anthropic tool use id", lambda: "toolu_01" + an(22)),
    ("AWS request id", lambda: uid()),
    ("AWS ARN", lambda: f"arn:aws:iam::{pick(DI, 12)}:role/service-role/lambda-exec"),
    ("docker image digest", lambda: "sha256:" + hexs(64)),
    ("Kubernetes pod name", lambda: f"web-{pick(LO + DI, 10)}-{pick(LO + DI, 5)}"),
    ("MongoDB ObjectId", lambda: hexs(24)),
    ("Twilio message SID", lambda: "SM" + hexs(32)),
]
for name, mk in id_makers:
    B(f"id ({name})", mk())
for name, mk in id_makers[:14]:
    B(f"id in sentence ({name})", f"Processed {name} {mk()} in 142 ms.")
B("ids in sentence", f"Customer {'cus_' + an(14)} paid invoice {'in_1' + an(23)} via payment intent {'pi_3' + an(23)}.")
B("ids in sentence", f"The assistant response {'chatcmpl-' + an(29)} included tool call {'call_' + an(24)} referencing {'file-' + an(22)}.")
B("ids in JSON", json.dumps({"id": "chatcmpl-" + an(29), "object": "chat.completion", "created": 1726135012, "model": "gpt-4o-mini-2024-07-18",
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
                             "system_fingerprint": "fp_" + hexs(10)}))
B("ids in JSON", json.dumps({"id": "evt_1" + an(23), "object": "event", "type": "payment_intent.succeeded",
                             "data": {"object": {"id": "pi_3" + an(23), "customer": "cus_" + an(14), "amount": 2000, "currency": "usd"}}}))
B("git log", "\n".join(f"{hexs(7)} {m}" for m in ["Fix token refresh race", "Add password reset email", "Bump serde to 1.0.210", "Refactor auth middleware", "Remove unused cookie helper"]))


def png_b64(n):
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + rbytes(n)).decode()


for n in (60, 300, 900):
    B("base64 image (data URL)", "data:image/png;base64," + png_b64(n))
B("base64 image in markdown", f"![chart](data:image/png;base64,{png_b64(200)})")
B("base64 image in JSON", json.dumps({"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0" + rbytes(400)).decode(), "detail": "low"}}))
B("base64 image (Anthropic block)", json.dumps({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(500)}}))

numbers = ["42", "3.14159265358979", "-0.0001", "1e-9", "1,234,567.89", "18446744073709551615", "0x7fffffff",
           "+1 (555) 010-9999", "4111 1111 1111 1111 is the standard Visa test card number.", "192.168.1.10", "2001:db8::ff00:42:8329",
           "2024-09-12", "2024-09-12T10:14:03.221Z", "Thu, 12 Sep 2024 10:14:03 GMT", "1726135012", "P3Y6M4DT12H30M5S",
           "Monday 14 October, 09:00–17:30", "v1.42.0-rc.3+build.5678"]
for n in numbers:
    B("number/date", n)

logs = [
    "2024-09-12T10:14:03.221Z INFO  http: GET /api/orders 200 12ms",
    "2024-09-12T10:14:03.402Z WARN  auth: token expired for user_id=4821, refreshing",
    "2024-09-12 10:14:05,118 ERROR [worker-3] Failed to authenticate: invalid credentials (user=maria)",
    "Sep 12 10:15:01 web01 sshd[2231]: Accepted publickey for deploy from 10.0.0.4 port 52144 ssh2: ED25519 SHA256:" + pick(B64, 43),
    "Sep 12 10:15:07 web01 sshd[2240]: Failed password for invalid user admin from 198.51.100.23 port 40022 ssh2",
    "[2024-09-12 10:16:00] production.INFO: Password reset link sent {\"user_id\":4821}",
    "level=info ts=2024-09-12T10:16:02Z caller=main.go:88 msg=\"loaded config\" keys=14 secrets_backend=vault",
    "{\"level\":\"info\",\"time\":\"2024-09-12T10:16:03Z\",\"msg\":\"request finished\",\"method\":\"POST\",\"path\":\"/v1/chat/completions\",\"status\":200,\"duration_ms\":842}",
    "127.0.0.1 - - [12/Sep/2024:10:17:44 +0000] \"POST /login HTTP/1.1\" 302 0 \"https://app.acme.io/login\" \"Mozilla/5.0\"",
    "npm WARN deprecated request@2.88.2: request has been deprecated",
    "   Compiling genai-tracing v0.1.0 (/work/main/runtime)\n    Finished `dev` profile [unoptimized + debuginfo] target(s) in 14.21s",
    "test auth::tests::rejects_expired_token ... ok\ntest auth::tests::accepts_valid_token ... ok\n\ntest result: ok. 2 passed; 0 failed",
    "kubelet: Successfully pulled image \"nginx:1.27\" in 2.314s (2.314s including waiting). Image size: 71021352 bytes.",
    "WARNING: The requested image's platform (linux/amd64) does not match the detected host platform (linux/arm64/v8)",
    "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
    "[agent] step=3 tool=search tokens_in=1532 tokens_out=88 latency_ms=640",
    "Rate limit reached for gpt-4o in organization org-" + an(24) + " on tokens per min (TPM): Limit 30000, Used 29812, Requested 1200.",
    "audit: user=maria action=api_key.created key_id=key_" + an(16) + " project=proj_" + an(24),
    "vault: secret rotated path=kv/prod/db version=8 by=rotation-lambda",
    "fail2ban.actions: NOTICE [sshd] Ban 198.51.100.23",
]
for l in logs:
    B("log", l)

tables = [
    "| Model | Input $/1M | Output $/1M |\n|---|---|---|\n| gpt-4o | 2.50 | 10.00 |\n| claude-3-5-sonnet | 3.00 | 15.00 |",
    "| Key | Description |\n|-----|-------------|\n| `api_key` | Your API key (required) |\n| `timeout` | Seconds before giving up |",
    "| Setting | Default |\n|---|---|\n| password_min_length | 12 |\n| token_ttl | 3600 |\n| cookie_secure | true |",
    "| Date | Orders | Revenue |\n|:-----|-------:|--------:|\n| 2024-09-10 | 312 | $14,220 |\n| 2024-09-11 | 298 | $13,870 |",
    "| Header | Purpose |\n|---|---|\n| Authorization | Carries the bearer token |\n| Cookie | Session state |",
    "| Step | Status |\n|---|---|\n| Build | ✅ |\n| Test | ✅ |\n| Deploy | ⏳ |",
    "Name,Email,Role\nMaria Oliveira,maria@example.com,admin\nJohn Smith,john@example.com,viewer\n",
    "id\tstatus\tupdated_at\n1\tactive\t2024-09-12\n2\tdisabled\t2024-09-10\n",
]
for t in tables:
    B("markdown table / CSV", t)

sql = [
    "SELECT id, email, created_at FROM users WHERE last_login < now() - interval '90 days';",
    "CREATE TABLE api_keys (\n  id uuid PRIMARY KEY,\n  project_id uuid NOT NULL,\n  key_hash bytea NOT NULL,\n  created_at timestamptz DEFAULT now()\n);",
    "INSERT INTO sessions (user_id, expires_at) VALUES (4821, '2024-09-13 10:00:00');",
    "SELECT COUNT(*) AS failed_logins FROM auth_events WHERE type = 'password_failed' GROUP BY user_id HAVING COUNT(*) > 5;",
    "ALTER USER reporting WITH PASSWORD :'new_password';",
    "DELETE FROM refresh_tokens WHERE expires_at < now();",
    "SELECT o.id, c.name, SUM(li.qty * li.price) AS total\nFROM orders o JOIN customers c ON c.id = o.customer_id JOIN line_items li ON li.order_id = o.id\nGROUP BY o.id, c.name ORDER BY total DESC LIMIT 10;",
    "CREATE INDEX CONCURRENTLY idx_tokens_user ON tokens (user_id) WHERE revoked = false;",
    "GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO reporting;",
    "WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY key ORDER BY ts DESC) rn FROM kv) SELECT key, value FROM ranked WHERE rn = 1;",
]
for q in sql:
    B("SQL", q)

traces = [
    "Traceback (most recent call last):\n  File \"/app/main.py\", line 12, in <module>\n    token = os.environ[\"API_TOKEN\"]\n  File \"/usr/lib/python3.12/os.py\", line 714, in __getitem__\n    raise KeyError(key) from None\nKeyError: 'API_TOKEN'",
    "thread 'main' panicked at src/config.rs:41:10:\ncalled `Result::unwrap()` on an `Err` value: MissingField(\"api_key\")\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    "java.lang.IllegalStateException: No password provided for datasource 'orders'\n\tat com.acme.db.DataSourceFactory.create(DataSourceFactory.java:77)\n\tat com.acme.App.main(App.java:23)",
    "TypeError: Cannot read properties of undefined (reading 'token')\n    at getUser (/app/src/auth.js:18:27)\n    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)",
    "goroutine 1 [running]:\nmain.loadSecrets(0xc000012345)\n\t/src/cmd/server/main.go:64 +0x1a5\nmain.main()\n\t/src/cmd/server/main.go:22 +0x45\nexit status 2",
    "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-********************************************abcd.', 'type': 'invalid_request_error', 'code': 'invalid_api_key'}}",
    "jwt.exceptions.ExpiredSignatureError: Signature has expired\n  File \"/app/auth.py\", line 33, in decode_token\n    return jwt.decode(token, key, algorithms=[\"HS256\"])",
    "System.UnauthorizedAccessException: Access to the path 'C:\\ProgramData\\Acme\\keys' is denied.\n   at System.IO.FileSystem.CreateDirectory(String fullPath)\n   at Acme.KeyStore.Init()",
    "ERROR: permission denied for table users\nCONTEXT: SQL statement \"SELECT password_hash FROM users WHERE id = $1\"",
    "Error: getaddrinfo ENOTFOUND api.acme.internal\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26) {\n  errno: -3008,\n  code: 'ENOTFOUND'\n}",
]
for t in traces:
    B("stack trace", t)

html = [
    "<form action=\"/login\" method=\"post\">\n  <label for=\"password\">Password</label>\n  <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n  <button type=\"submit\">Sign in</button>\n</form>",
    "<meta name=\"csrf-param\" content=\"authenticity_token\">\n<link rel=\"stylesheet\" href=\"/assets/app.css\">",
    "<div class=\"cookie-banner\"><p>We use cookies to improve your experience.</p><button id=\"accept\">Accept</button></div>",
    "<!DOCTYPE html><html lang=\"en\"><head><title>Reset your password</title></head><body><h1>Reset your password</h1><p>Enter your email below.</p></body></html>",
    "<table><tr><th>Key</th><th>Value</th></tr><tr><td>region</td><td>eu-west-1</td></tr></table>",
    "<script src=\"https://cdn.jsdelivr.net/npm/chart.js@4.4.1/dist/chart.umd.min.js\" integrity=\"sha384-" + pick(B64, 64) + "\" crossorigin=\"anonymous\"></script>",
    "<a href=\"https://docs.acme.io/auth/tokens\">Learn how API tokens work</a>",
    "<input type=\"hidden\" name=\"redirect\" value=\"/dashboard\">",
]
for h in html:
    B("HTML", h)

misc = [
    "diff --git a/src/auth.rs b/src/auth.rs\nindex 3f2a1c9..8b7d0e4 100644\n--- a/src/auth.rs\n+++ b/src/auth.rs\n@@ -10,7 +10,7 @@\n-    let token = header.trim();\n+    let token = header.trim().trim_start_matches(\"Bearer \");\n",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + pick(B64, 43) + " deploy@ci",
    "-----BEGIN CERTIFICATE-----\n" + "\n".join(textwrap.wrap(base64.b64encode(rbytes(480)).decode(), 64)) + "\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\n" + "\n".join(textwrap.wrap(base64.b64encode(rbytes(294)).decode(), 64)) + "\n-----END PUBLIC KEY-----",
    "GET /api/v1/items?page=2&per_page=50 HTTP/1.1\nHost: api.example.com\nAccept: application/json\nUser-Agent: curl/8.5.0\n",
    "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The access token expired\"\nContent-Type: application/json\n\n{\"error\":\"invalid_token\"}",
    "curl -s https://api.github.com/repos/acme/platform/releases/latest | jq -r .tag_name",
    "$ kubectl get secrets -n prod\nNAME                  TYPE                                  DATA   AGE\ndb-credentials        Opaque                                2      41d\ningress-tls           kubernetes.io/tls                     2      12d",
    "$ aws sts get-caller-identity\n{\n    \"UserId\": \"AIDA" + pick(UP + "234567", 17) + "\",\n    \"Account\": \"123456789012\",\n    \"Arn\": \"arn:aws:iam::123456789012:user/ci\"\n}",
    "gpg: key " + pick("0123456789ABCDEF", 16) + ": public key \"Release Bot <release@acme.io>\" imported",
    "ETag: \"" + hexs(32) + "\"\nCache-Control: max-age=3600\nContent-Length: 10423",
    "The commit " + hexs(40) + " introduced the regression; reverting it restores the old token refresh behaviour.",
    "Your verification code is shown in the app. It expires in 10 minutes.",
    "npm install --save-dev @types/node@20.14.2 typescript@5.5.4",
    "pip install 'openai>=1.40' 'anthropic==0.34.2' tiktoken",
    "Subresource integrity: sha512-" + base64.b64encode(rbytes(64)).decode(),
    "password: ''",
    "Authorization: Bearer <token>",
    "Set-Cookie: theme=dark; Path=/; Max-Age=31536000",
    "x-request-id: " + uid(),
]
for m in misc:
    B("misc", m)

assert len(SECRETS) >= 80, len(SECRETS)
assert len(BENIGN) >= 300, len(BENIGN)
ids = [s["secret"] for s in SECRETS]
assert len(set(ids)) == len(ids)

with open(os.path.join(HERE, "secrets.json"), "w") as f:
    json.dump(SECRETS, f, indent=1, ensure_ascii=False)
    f.write("\n")
with open(os.path.join(HERE, "benign.json"), "w") as f:
    json.dump(BENIGN, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(SECRETS)} secrets ({sum(s['marker'] for s in SECRETS)} with a marker), {len(BENIGN)} benign")
