// kstatus says what Flux and cli-utils make of Kubernetes objects: by default the verdict of
// sigs.k8s.io/cli-utils' kstatus (status.Compute: Flux's `wait: true` and health checks, cli-utils'
// appliers); with --flux-health-check-exprs, the verdict of a Kustomization's healthCheckExprs as
// Flux's kustomize-controller evaluates them (github.com/fluxcd/pkg/runtime/cel).
//
//	kstatus [--flux-health-check-exprs '{"current": ..., "inProgress": ..., "failed": ...}'] < objects.json
//
// stdin is a JSON array of objects; stdout is a JSON array with, per object, either
// {"status": "InProgress"|"Failed"|"Current"|"Terminating"|"NotFound"|"Unknown", "message": ...}
// or {"error": ...}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/fluxcd/pkg/apis/kustomize"
	fluxcel "github.com/fluxcd/pkg/runtime/cel"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type answer struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	fluxExprs := flag.String("flux-health-check-exprs", "", "one entry of a Flux Kustomization's spec.healthCheckExprs, as JSON")
	flag.Parse()
	judge := kstatus
	if *fluxExprs != "" {
		var exprs kustomize.HealthCheckExpressions
		check(json.Unmarshal([]byte(*fluxExprs), &exprs))
		evaluator, err := fluxcel.NewStatusEvaluator(&exprs)
		check(err)
		judge = func(u *unstructured.Unstructured) answer {
			result, err := evaluator.Evaluate(context.Background(), u)
			if err != nil {
				return answer{Error: err.Error()}
			}
			return answer{Status: result.Status.String(), Message: result.Message}
		}
	}
	var objects []json.RawMessage
	check(json.NewDecoder(os.Stdin).Decode(&objects))
	answers := make([]answer, 0, len(objects))
	for _, raw := range objects {
		// Through the unstructured JSON scheme, as client-go decodes objects: integers stay int64.
		// Plain encoding/json would make them float64, which kstatus answers with Unknown.
		var u unstructured.Unstructured
		if err := u.UnmarshalJSON(raw); err != nil {
			answers = append(answers, answer{Error: err.Error()})
			continue
		}
		answers = append(answers, judge(&u))
	}
	check(json.NewEncoder(os.Stdout).Encode(answers))
}

func kstatus(u *unstructured.Unstructured) answer {
	result, err := status.Compute(u)
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{Status: result.Status.String(), Message: result.Message}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kstatus:", err)
		os.Exit(1)
	}
}
