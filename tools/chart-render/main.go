// chart-render renders a Helm v3 chart the way `helm template` does, for validating the chart
// in the test suite where no helm binary can be installed. It uses the same template engine as
// Helm (Go's text/template with Masterminds/sprig v3, missingkey=zero), the same YAML library
// family (ghodss/yaml, of which Helm's sigs.k8s.io/yaml is a fork) and the same JSON Schema
// validator for values.schema.json (xeipuuv/gojsonschema); Helm's own template functions
// (include, tpl, required, toYaml, fromYaml, toJson, fromJson, toToml, lookup) and objects
// (.Values, .Release, .Chart, .Capabilities, .Files, .Template) follow Helm's documentation.
// Not supported: subcharts (dependencies), library charts, values templates.
//
// Usage: chart-render [-f values.yaml]... [-name RELEASE] [-namespace NS] CHART_DIR
// Writes every rendered manifest to stdout as `# Source: <chart>/templates/<file>` documents,
// NOTES.txt last (as `# NOTES: ...` comment lines); exits 1 with Helm's wording on an error.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
	"github.com/gobwas/glob"
	"github.com/xeipuuv/gojsonschema"
)

type valuesFiles []string

func (v *valuesFiles) String() string     { return strings.Join(*v, ",") }
func (v *valuesFiles) Set(s string) error { *v = append(*v, s); return nil }

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "Error: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	var files valuesFiles
	flag.Var(&files, "f", "values file (repeatable; later files win)")
	name := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version for .Capabilities")
	flag.Parse()
	if flag.NArg() != 1 {
		fail("usage: chart-render [-f values.yaml]... [-name RELEASE] [-namespace NS] CHART_DIR")
	}
	chartDir := flag.Arg(0)

	metadata := map[string]interface{}{}
	readYAML(filepath.Join(chartDir, "Chart.yaml"), &metadata)
	chartName, _ := metadata["name"].(string)
	if chartName == "" {
		fail("validation: chart.metadata.name is required")
	}

	values := map[string]interface{}{}
	readYAMLIfExists(filepath.Join(chartDir, "values.yaml"), &values)
	for _, file := range files {
		overrides := map[string]interface{}{}
		readYAML(file, &overrides)
		coalesce(values, overrides)
	}
	validateSchema(chartDir, chartName, values)

	ignore := readHelmignore(chartDir)
	chartFiles := map[string][]byte{}
	templates := map[string]string{}
	err := filepath.Walk(chartDir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(chartDir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if ignore.matches(rel, info.IsDir()) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if info.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			templates[path.Join(chartName, rel)] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || rel == "Chart.lock":
		case strings.HasPrefix(rel, "charts/"):
			fail("chart-render does not support subcharts (%s)", rel)
		default:
			chartFiles[rel] = data
		}
		return nil
	})
	if err != nil {
		fail("%v", err)
	}

	major, minor := splitKubeVersion(*kubeVersion)
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": *name, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": helmChartObject(metadata),
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{"Version": *kubeVersion, "Major": major, "Minor": minor, "GitVersion": *kubeVersion},
			"APIVersions": apiVersions{},
			"HelmVersion": map[string]interface{}{"Version": "v3.15.0"},
		},
		"Files": Files(chartFiles),
	}

	rendered, notes := render(templates, top, chartName)
	keys := make([]string, 0, len(rendered))
	for k := range rendered {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out bytes.Buffer
	for _, k := range keys {
		body := strings.TrimSpace(rendered[k])
		if body == "" {
			continue
		}
		for _, doc := range splitDocuments(body) {
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", k, doc)
		}
	}
	if notes != "" {
		for _, line := range strings.Split(strings.TrimRight(notes, "\n"), "\n") {
			fmt.Fprintf(&out, "# NOTES: %s\n", line)
		}
	}
	os.Stdout.Write(out.Bytes())
}

func readYAML(file string, into *map[string]interface{}) {
	data, err := os.ReadFile(file)
	if err != nil {
		fail("%v", err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		fail("failed to parse %s: %v", file, err)
	}
	if *into == nil {
		*into = map[string]interface{}{}
	}
}

func readYAMLIfExists(file string, into *map[string]interface{}) {
	if _, err := os.Stat(file); err == nil {
		readYAML(file, into)
	}
}

// coalesce merges overrides into base as Helm does for user values: maps merge deeply, anything
// else replaces, and a null removes the key.
func coalesce(base, overrides map[string]interface{}) {
	for key, value := range overrides {
		if value == nil {
			delete(base, key)
			continue
		}
		if sub, ok := value.(map[string]interface{}); ok {
			if existing, ok := base[key].(map[string]interface{}); ok {
				coalesce(existing, sub)
				continue
			}
		}
		base[key] = value
	}
}

func validateSchema(chartDir, chartName string, values map[string]interface{}) {
	schema, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		return
	}
	valuesJSON, _ := json.Marshal(values)
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		fail("%v", err)
	}
	if !result.Valid() {
		var sb strings.Builder
		for _, e := range result.Errors() {
			sb.WriteString(fmt.Sprintf("- %s\n", e))
		}
		fail("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", chartName, sb.String())
	}
}

func helmChartObject(metadata map[string]interface{}) map[string]interface{} {
	object := map[string]interface{}{}
	for key, value := range metadata {
		object[strings.ToUpper(key[:1])+key[1:]] = value
	}
	return object
}

func splitKubeVersion(version string) (string, string) {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return "1", "30"
	}
	return parts[0], parts[1]
}

// apiVersions answers .Capabilities.APIVersions.Has: the built-in groups of a current cluster,
// no custom resources (as `helm template` without --api-versions).
type apiVersions struct{}

func (apiVersions) Has(version string) bool {
	builtin := []string{"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1", "rbac.authorization.k8s.io/v1"}
	for _, b := range builtin {
		if version == b || strings.HasPrefix(version, b+"/") {
			return true
		}
	}
	return false
}

func splitDocuments(body string) []string {
	var docs []string
	for _, doc := range strings.Split("\n"+body, "\n---") {
		doc = strings.TrimSpace(doc)
		if doc != "" {
			docs = append(docs, doc)
		}
	}
	return docs
}

func render(templates map[string]string, top map[string]interface{}, chartName string) (map[string]string, string) {
	t := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["fromYamlArray"] = func(s string) []interface{} {
		a := []interface{}{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	funcs["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	funcs["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toToml"] = func(v interface{}) string {
		var b bytes.Buffer
		if err := toml.NewEncoder(&b).Encode(v); err != nil {
			return err.Error()
		}
		return b.String()
	}
	funcs["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf("%s", warn)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf("%s", warn)
		}
		return val, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		inner, err := t.Clone()
		if err != nil {
			return "", err
		}
		parsed, err := inner.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = parsed.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	t.Funcs(funcs)

	// Partials (_*.tpl) first, so every template can include them; then the others.
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := t.New(n).Parse(templates[n]); err != nil {
			fail("parse error in (%s): %v", n, err)
		}
	}
	rendered := map[string]string{}
	notes := ""
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": n, "BasePath": path.Join(chartName, "templates")}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, n, vals); err != nil {
			fail("execution error in (%s): %v", n, err)
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if path.Base(n) == "NOTES.txt" {
			notes = text
			continue
		}
		rendered[n] = text
	}
	return rendered, notes
}

// Files is .Files: the chart's files other than templates, Chart.yaml and values.
type Files map[string][]byte

func (f Files) Get(name string) string      { return string(f[name]) }
func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(string(f[name]), "\n")
}

func (f Files) Glob(pattern string) Files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	matched := Files{}
	for name, data := range f {
		if g.Match(name) {
			matched[name] = data
		}
	}
	return matched
}

func (f Files) AsConfig() string {
	return f.asYAMLMap(func(data []byte) string { return string(data) })
}

func (f Files) AsSecrets() string {
	return f.asYAMLMap(base64.StdEncoding.EncodeToString)
}

// asYAMLMap: base name -> encoded content, as YAML (empty for no files), as Helm's Files do.
func (f Files) asYAMLMap(encode func([]byte) string) string {
	if len(f) == 0 {
		return ""
	}
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = encode(data)
	}
	out, _ := yaml.Marshal(m)
	return strings.TrimSuffix(string(out), "\n")
}

type helmignore struct{ patterns []string }

func readHelmignore(chartDir string) helmignore {
	data, err := os.ReadFile(filepath.Join(chartDir, ".helmignore"))
	if err != nil {
		return helmignore{}
	}
	var patterns []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, line)
		}
	}
	return helmignore{patterns: patterns}
}

// matches: the subset of .helmignore that Helm documents and this chart uses: shell globs on
// the path relative to the chart, or on the base name, and "dir/" for directories.
func (h helmignore) matches(rel string, isDir bool) bool {
	if rel == ".helmignore" {
		return true
	}
	for _, p := range h.patterns {
		if strings.HasSuffix(p, "/") {
			if isDir {
				if ok, _ := filepath.Match(strings.TrimSuffix(p, "/"), path.Base(rel)); ok {
					return true
				}
			}
			continue
		}
		if ok, _ := filepath.Match(p, rel); ok {
			return true
		}
		if !strings.Contains(p, "/") {
			if ok, _ := filepath.Match(p, path.Base(rel)); ok {
				return true
			}
		}
	}
	return false
}
