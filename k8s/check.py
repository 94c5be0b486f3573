#!/usr/bin/env python3
"""Offline consistency checks of the rendered manifests against the services' code conventions.

    kubectl kustomize k8s/ > /tmp/k8s.yaml && python3 k8s/check.py /tmp/k8s.yaml

Checks what neither kubeconform nor API-server validation can know: every Deployment's probes use
/healthz and /readyz on a declared named port; the prometheus.io/* annotations match the HTTP port of
the container and of the service's config (deploy/prometheus/prometheus-k8s.yml scrapes by them and
names the job after app.kubernetes.io/name); the config binds HTTP (and gRPC/SMTP listeners) on
0.0.0.0; every <VAR>_FILE env points into a mounted Secret volume at a key it lists; Services,
HPAs and PDBs select/target an existing Deployment and named port. Needs PyYAML."""
import sys
import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1] if len(sys.argv) > 1 else "/dev/stdin")) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)


deployments = by_kind.get("Deployment", {})
for name, dep in deployments.items():
    tpl = dep["spec"]["template"]
    labels = tpl["metadata"].get("labels", {})
    ann = tpl["metadata"].get("annotations", {})
    check(labels.get("app.kubernetes.io/name") == name, f"{name}: pod label app.kubernetes.io/name != {name}")
    check(all(labels.get(k) == v for k, v in dep["spec"]["selector"]["matchLabels"].items()),
          f"{name}: selector does not match pod labels")
    spec = tpl["spec"]
    (c,) = spec["containers"]
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    check("http" in ports, f"{name}: no container port named http")
    for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        g = c.get(probe, {}).get("httpGet", {})
        check(g.get("path") == path, f"{name}: {probe} path {g.get('path')} != {path}")
        check(g.get("port") in ports, f"{name}: {probe} port {g.get('port')} is not a named container port")
    check(ann.get("prometheus.io/scrape") == "true", f"{name}: prometheus.io/scrape is not \"true\"")
    check(ann.get("prometheus.io/path") == "/metrics", f"{name}: prometheus.io/path is not /metrics")
    check(ann.get("prometheus.io/port") == str(ports.get("http")),
          f"{name}: prometheus.io/port {ann.get('prometheus.io/port')} != http port {ports.get('http')}")
    # The service's own config file (ConfigMap <name>-config, key <name>.yaml).
    cm = by_kind.get("ConfigMap", {}).get(f"{name}-config")
    check(cm is not None, f"{name}: no ConfigMap {name}-config")
    check(c.get("args") == ["--config", f"/etc/switchboard/{name}.yaml"], f"{name}: args are not --config /etc/switchboard/{name}.yaml")
    if cm:
        cfg = yaml.safe_load(cm["data"][f"{name}.yaml"])
        check(cfg["http"].get("host") == "0.0.0.0", f"{name}: http.host is not 0.0.0.0")
        check(cfg["http"].get("port") == ports.get("http"), f"{name}: http.port {cfg['http'].get('port')} != container port")
        for section, port_name in (("grpc", "grpc"), ("smtp", "smtp")):
            if section in cfg:
                host, _, port = cfg[section]["listen"].rpartition(":")
                check(host == "0.0.0.0", f"{name}: {section}.listen is not on 0.0.0.0")
                check(ports.get(port_name) == int(port), f"{name}: {section}.listen port {port} != container port {port_name}")
        for bad in ("brokers", "host", "port"):
            check(bad not in cfg.get("kafka", {}) and bad not in cfg.get("redis", {}),
                  f"{name}: Kafka/Redis set in the config (they come from switchboard-external)")
    check({"configMapRef": {"name": "switchboard-external"}} in c.get("envFrom", []), f"{name}: no envFrom switchboard-external")
    # Secrets: <VAR>_FILE -> a file of a mounted Secret volume.
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    for e in c.get("env", []):
        check("valueFrom" not in e or "secretKeyRef" not in e["valueFrom"], f"{name}: secret passed as env value ({e['name']})")
        if not e["name"].endswith("_FILE"):
            continue
        directory, _, key = e["value"].rpartition("/")
        vol = volumes.get(mounts.get(directory, ""), {})
        check("secret" in vol, f"{name}: {e['name']} -> {e['value']} is not in a mounted Secret volume")
        items = vol.get("secret", {}).get("items")
        if items is not None:
            check(any(i["path"] == key for i in items), f"{name}: {e['name']}: Secret volume has no item {key}")
    sc = c.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False,
          f"{name}: container securityContext is not read-only/no-escalation")
    check("limits" in c.get("resources", {}) and "requests" in c.get("resources", {}), f"{name}: no resources")

for name, svc in by_kind.get("Service", {}).items():
    dep = deployments.get(name)
    check(dep is not None, f"Service {name}: no Deployment {name}")
    if dep:
        ports = {p["name"] for p in dep["spec"]["template"]["spec"]["containers"][0].get("ports", [])}
        labels = dep["spec"]["template"]["metadata"]["labels"]
        check(all(labels.get(k) == v for k, v in svc["spec"]["selector"].items()), f"Service {name}: selector matches no pod")
        for p in svc["spec"]["ports"]:
            check(p["targetPort"] in ports, f"Service {name}: targetPort {p['targetPort']} is not a container port")
for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
    for name, o in by_kind.get(kind, {}).items():
        if kind == "HorizontalPodAutoscaler":
            check(o["spec"]["scaleTargetRef"]["name"] in deployments, f"{kind} {name}: no target Deployment")
        else:
            dep = deployments.get(name, {"spec": {"template": {"metadata": {"labels": {}}}}})
            labels = dep["spec"]["template"]["metadata"]["labels"]
            check(all(labels.get(k) == v for k, v in o["spec"]["selector"]["matchLabels"].items()), f"{kind} {name}: selects no pod")
check(not by_kind.get("Secret"), "a Secret is part of the rendered manifests (secrets stay out of the kustomization)")

print(f"{len(docs)} objects, {len(deployments)} Deployments checked")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
