-- Argo CD health of an eksaccess.dev/v1alpha1 AccessEntry, read from the status its controller
-- writes: status.observedGeneration and the Ready, Reconciling and Stalled conditions, which follow
-- kstatus. Argo CD runs argocd-cm health scripts without Lua's string and math libraries, so this
-- one uses neither.
--   Progressing  being deleted; not acted on yet (no status, or observedGeneration behind
--                metadata.generation); Reconciling=True; Ready not True yet
--   Degraded     Stalled=True: the controller cannot go on without a change from you
--   Suspended    Ready=False with reason Expired: spec.expiresAt passed and the access ended as asked
--   Healthy      Ready=True for the current generation: the EKS access entry matches the spec
local function condition(status, conditionType)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

-- "Reason: message", or what is known of it.
local function explain(c, fallback)
  if c == nil then
    return fallback
  end
  local reason = c.reason or ""
  local message = c.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  if message ~= "" then
    return message
  end
  if reason ~= "" then
    return reason
  end
  return fallback
end

local generation = obj.metadata.generation
local status = obj.status
local ready = condition(status, "Ready")

if obj.metadata.deletionTimestamp ~= nil then
  if ready ~= nil and ready.status == "False" and ready.reason ~= "Deleting" then
    return { status = "Progressing", message = "The AccessEntry is being deleted; " .. explain(ready, "") }
  end
  return { status = "Progressing", message = "The AccessEntry is being deleted: the controller removes or hands back its EKS access entry" }
end

if status == nil or status.conditions == nil or #status.conditions == 0 then
  return { status = "Progressing", message = "Waiting for the eks-access-entry-controller to act on the AccessEntry" }
end

if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return {
    status = "Progressing",
    message = "Waiting for the eks-access-entry-controller to act on generation " .. tostring(generation)
      .. " (it last acted on generation " .. tostring(status.observedGeneration or 0) .. ")",
  }
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return { status = "Degraded", message = explain(stalled, "The controller cannot reconcile the AccessEntry") }
end

if ready ~= nil and ready.status == "False" and ready.reason == "Expired" then
  return { status = "Suspended", message = explain(ready, "The access expired") }
end

local reconciling = condition(status, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  return { status = "Progressing", message = explain(reconciling, "Reconciling the access entry with EKS") }
end

if ready ~= nil and ready.status == "True" then
  if ready.observedGeneration ~= nil and generation ~= nil and ready.observedGeneration < generation then
    return { status = "Progressing", message = "Ready describes generation " .. tostring(ready.observedGeneration) .. ", not " .. tostring(generation) }
  end
  return { status = "Healthy", message = explain(ready, "The EKS access entry matches the spec") }
end

return { status = "Progressing", message = explain(ready, "Waiting for the AccessEntry to become Ready") }
