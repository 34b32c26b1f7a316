-- `a.lsp`: plenary's `buf_request_all(bufnr, method, params)`, which
-- returns the results of every client, and `buf_request(bufnr, method,
-- params)`, which returns `err, result, ctx, config` of the first client
-- to answer. Its handler is called once per client: plenary resumes the
-- task once per call (an error from the second on); here the later calls
-- are ignored.
local wrap = require("plenary_async.async").wrap

local M = {}

M.buf_request_all = wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request_all(bufnr, method, params, cb)
end, 4)

M.buf_request = wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request(bufnr, method, params, cb)
end, 4)

return M
