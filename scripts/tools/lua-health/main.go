// lua-health runs an Argo CD resource health script the way Argo CD runs the scripts of argocd-cm
// (resource.customizations.health.<group>_<Kind>): a fresh gopher-lua state per object with only
// the base, package and table libraries and an os reduced to time and date (no string, no math),
// the object as the global obj, a one-second limit, and a returned table {status, message}.
//
//	lua-health SCRIPT.lua < objects.json
//
// stdin is a JSON array of objects; stdout is a JSON array with, per object, either
// {"status": ..., "message": ...} or {"error": ...}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// The statuses Argo CD accepts from a health script.
var statuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true}

type answer struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lua-health SCRIPT.lua < objects.json")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	check(err)
	var objects []any
	decoder := json.NewDecoder(os.Stdin)
	decoder.UseNumber()
	check(decoder.Decode(&objects))
	answers := make([]answer, 0, len(objects))
	for _, obj := range objects {
		answers = append(answers, run(string(script), obj))
	}
	check(json.NewEncoder(os.Stdout).Encode(answers))
}

func run(script string, obj any) answer {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.OsLibName, lua.OpenOs}} {
		l.Push(l.NewFunction(lib.open))
		l.Push(lua.LString(lib.name))
		l.Call(1, 0)
	}
	// Only os.time and os.date stay, for require("os") too: no exit, execute, remove, rename, getenv.
	full := l.GetGlobal(lua.OsLibName).(*lua.LTable)
	reduced := l.NewTable()
	reduced.RawSetString("time", full.RawGetString("time"))
	reduced.RawSetString("date", full.RawGetString("date"))
	l.SetGlobal(lua.OsLibName, reduced)
	l.GetField(l.GetGlobal(lua.LoadLibName), "loaded").(*lua.LTable).RawSetString(lua.OsLibName, reduced)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return answer{Error: err.Error()}
	}
	table, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return answer{Error: fmt.Sprintf("the script returned %s, not a table", l.Get(-1).Type())}
	}
	status, _ := table.RawGetString("status").(lua.LString)
	if !statuses[string(status)] {
		return answer{Error: fmt.Sprintf("the script returned status %q, which Argo CD does not know", table.RawGetString("status").String())}
	}
	message := ""
	if m, ok := table.RawGetString("message").(lua.LString); ok {
		message = string(m)
	}
	return answer{Status: string(status), Message: message}
}

// toLua converts decoded JSON as Argo CD hands objects to scripts: objects and arrays become
// tables (arrays 1-based), numbers numbers, null nil.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case map[string]any:
		table := l.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(l, item))
		}
		return table
	case []any:
		table := l.NewTable()
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case json.Number:
		f, err := v.Float64()
		check(err)
		return lua.LNumber(f)
	default:
		return lua.LNil
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "lua-health:", err)
		os.Exit(1)
	}
}
