/**
 * Every page lives under `/ui/` so it can never shadow an API path (the server answers
 * `index.html` for `/` and `/ui/*` only). `/` forwards to the overview; the login gate sends
 * people to setup or login first when needed.
 */
export const UI = {
  overview: '/ui/overview',
  credentials: '/ui/credentials',
  profiles: '/ui/profiles',
  profile: (id: string) => `/ui/profiles/${encodeURIComponent(id)}`,
  executions: '/ui/executions',
  execution: (id: string) => `/ui/executions/${encodeURIComponent(id)}`,
  requirements: '/ui/requirements',
  settings: '/ui/settings',
  audit: '/ui/audit',
  login: '/ui/login',
  setup: '/ui/setup',
} as const;
