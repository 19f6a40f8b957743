-- Argo CD health of an eksaccess.dev/v1alpha1 ClusterAccess, read from its Ready condition, which
-- says whether the controller reached the cluster with these credentials. Argo CD runs argocd-cm
-- health scripts without Lua's string and math libraries, so this one uses neither.
--   Healthy      Ready=True for the current generation
--   Degraded     Ready=False: its message says what to fix (the role's trust, the cluster, ...)
--   Progressing  no status yet, Ready Unknown, or a status of an older generation
local ready = nil
local status = obj.status
if status ~= nil and status.conditions ~= nil then
  for _, c in ipairs(status.conditions) do
    if c.type == "Ready" then
      ready = c
    end
  end
end

if ready == nil then
  return { status = "Progressing", message = "Waiting for the eks-access-entry-controller to check the ClusterAccess" }
end

local generation = obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration < generation then
  return {
    status = "Progressing",
    message = "Waiting for the eks-access-entry-controller to check generation " .. tostring(generation)
      .. " (it last checked generation " .. tostring(status.observedGeneration) .. ")",
  }
end

local message = ready.message or ""
if ready.reason ~= nil and ready.reason ~= "" then
  message = ready.reason .. ": " .. message
end
if ready.status == "True" then
  return { status = "Healthy", message = message }
end
if ready.status == "False" then
  return { status = "Degraded", message = message }
end
return { status = "Progressing", message = message }
