-- busted's output for this suite (`.busted`): a line per test, `ok`,
-- `FAIL` or `skip`, each failure or error with its message and traceback,
-- and the line CI reads last, `N passed, N failed[, N pending]` (errors
-- outside a test count as failures).
return function()
  local busted = require("busted")
  local handler = require("busted.outputHandlers.base")()

  local function say(line)
    io.write(line, "\n")
    io.flush()
  end

  local function show(kind, t)
    local message = t.message
    if type(message) ~= "string" then
      message = require("pl.pretty").write(message)
    end
    local text = message
    if t.trace and t.trace.traceback and not message:find("stack traceback:", 1, true) then
      text = text .. "\n" .. t.trace.traceback:gsub("^\n", "")
    end
    say(("%s  %s\n      %s"):format(kind, t.name or "(outside a test)", (text:gsub("\n", "\n      "))))
  end

  handler.testEnd = function(element, _, status)
    local name = handler.getFullName(element)
    if status == "success" then
      say("ok    " .. name)
    elseif status == "pending" then
      say("skip  " .. name)
    elseif status == "failure" then
      show("FAIL", handler.failures[#handler.failures])
    elseif status == "error" then
      show("FAIL", handler.errors[#handler.errors])
    end
    return nil, true
  end

  -- An error outside a test (a file that does not load, a failing hook).
  handler.error = function(element, _, message, trace)
    if element.descriptor ~= "it" then
      show("FAIL", { name = handler.getFullName(element), message = message, trace = trace })
    end
    return nil, true
  end

  handler.suiteEnd = function()
    local pending = #handler.pendings
    say(
      ("%d passed, %d failed%s"):format(
        #handler.successes,
        #handler.failures + #handler.errors,
        pending > 0 and (", %d pending"):format(pending) or ""
      )
    )
    return nil, true
  end

  busted.subscribe({ "test", "end" }, handler.testEnd, { predicate = handler.cancelOnPending })
  busted.subscribe({ "suite", "end" }, handler.suiteEnd)
  busted.subscribe({ "error" }, handler.error)
  busted.subscribe({ "failure" }, handler.error)
  return handler
end
