"""Make this folder's payloads from @octokit/webhooks-examples' real pull_request examples.

Usage (needs jsonschema; the npm registry for the two packages):

    npm pack @octokit/webhooks-examples@7.6.1 @octokit/webhooks-schemas@7.6.1
    # unpack each into its own folder, then:
    python adapt.py EXAMPLES_DIR SCHEMAS_DIR tests/payloads/graduation

Each payload is the first example of its action that passes its own schema,
moved to astro/mentoring (base branch main), opened by ada-example with
"Closes #1" in the body; "-fork" variants come from ada-example/mentoring;
"closed-merged" is a closed example made merged. Every result is checked
against @octokit/webhooks-schemas again, and schema-subset.json keeps the
definitions they need (tests/test_graduation_e2e.py checks them with it).
"""
import copy, json, re, sys
from pathlib import Path

examples = json.load(open(Path(sys.argv[1]) / "api.github.com" / "index.json"))
prs = next(e for e in examples if e["name"] == "pull_request")["examples"]
import jsonschema
SCHEMA = json.load(open(Path(sys.argv[2]) / "schema.json"))
def valid(x, action=None, definitions=None):
    ref = {"definitions": definitions or SCHEMA["definitions"], "$ref": f"#/definitions/pull_request${action or x['action']}"}
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    return not list(jsonschema.Draft7Validator(ref, format_checker=checker).iter_errors(x))


def closure(definitions, roots):
    """The definitions ``roots`` need, following every $ref."""
    found, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        todo += re.findall(r'"#/definitions/([^"]+)"', json.dumps(definitions[name]))
    return {name: definitions[name] for name in sorted(found)}
def pick(action):
    """The first example of ``action`` that passes its own schema."""
    return copy.deepcopy(next(x for x in prs if x["action"] == action and valid(x)))

BODY = "Adds me to participants.yml: my mentoring is complete.\n\nCloses #1"
def adapt(x):
    text = json.dumps(x)
    text = text.replace("Codertocat/Hello-World", "astro/mentoring").replace("Hello-World", "mentoring")
    text = re.sub(r"(github(?:usercontent)?\.com/(?:users/)?)Codertocat", r"\1astro", text)
    text = text.replace('"Codertocat"', '"astro"').replace("Codertocat:", "astro:")
    x = json.loads(text)
    pr = x["pull_request"]
    mentee = copy.deepcopy(x["sender"])
    for k, v in list(mentee.items()):
        if isinstance(v, str):
            mentee[k] = v.replace("astro", "ada-example")
    mentee["id"] = 90000001
    mentee["node_id"] = "MDQ6VXNlcjkwMDAwMDAx"
    x["sender"] = mentee
    pr["user"] = copy.deepcopy(mentee)
    pr["author_association"] = "CONTRIBUTOR"
    pr["title"] = "Graduation: Ada Example"
    pr["body"] = BODY
    pr["assignees"], pr["assignee"], pr["labels"], pr["requested_reviewers"] = [], None, [], []
    for side in ("head", "base"):
        pr[side]["repo"]["default_branch"] = "main"
        pr[side]["repo"]["master_branch"] = "main"
    pr["base"]["ref"] = "main"
    pr["base"]["label"] = "astro:main"
    pr["head"]["ref"] = "graduation"
    pr["head"]["label"] = "astro:graduation"
    x["repository"]["default_branch"] = "main"
    x["repository"]["master_branch"] = "main"
    x.pop("installation", None)
    return x

def fork(x):
    x = copy.deepcopy(x)
    head = x["pull_request"]["head"]
    repo = head["repo"]
    text = json.dumps(repo).replace("astro/mentoring", "ada-example/mentoring").replace("/astro", "/ada-example")
    repo = json.loads(text)
    repo["owner"] = copy.deepcopy(x["pull_request"]["user"])
    repo["fork"] = True
    repo["id"] = 90000002
    repo["node_id"] = "MDEwOlJlcG9zaXRvcnk5MDAwMDAwMg=="
    head["repo"] = repo
    head["user"] = copy.deepcopy(x["pull_request"]["user"])
    head["label"] = "ada-example:graduation"
    return x

out = {}
out["opened"] = adapt(pick("opened"))
out["opened-fork"] = fork(out["opened"])
out["synchronize-fork"] = fork(adapt(pick("synchronize")))
edited = adapt(pick("opened"))
edited["action"] = "edited"
edited["changes"] = {"body": {"from": "Adds me to participants.yml."}}
out["edited"] = edited
out["reopened"] = adapt(pick("reopened"))
closed = adapt(pick("closed"))
pr = closed["pull_request"]
pr["merged"] = True
pr["merged_at"] = pr["closed_at"]
pr["merged_by"] = copy.deepcopy(closed["repository"]["owner"])
pr["mergeable"], pr["rebaseable"], pr["mergeable_state"] = None, None, "unknown"
closed["sender"] = copy.deepcopy(closed["repository"]["owner"])
out["closed-merged-fork"] = fork(closed)
out["closed-merged"] = closed
unmerged = adapt(pick("closed"))
out["closed-unmerged"] = unmerged
out["labeled"] = adapt(pick("labeled"))

subset = closure(SCHEMA["definitions"], sorted({f"pull_request${x['action']}" for x in out.values()}))
for name, x in out.items():
    assert valid(x, definitions=subset), name
dest = Path(sys.argv[3])
(dest / "schema-subset.json").write_text(json.dumps({"definitions": subset}, indent=1) + "\n")
for name, x in out.items():
    (dest / f"{name}.json").write_text(json.dumps(x, indent=2) + "\n")
    assert "Codertocat" not in json.dumps(x) and "Hello-World" not in json.dumps(x), name
print(sorted(out))
