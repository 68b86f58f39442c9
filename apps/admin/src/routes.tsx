import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { RequireAdmin } from './components/RequireAdmin';
import { AuditPage } from './pages/AuditPage';
import { CredentialsPage } from './pages/CredentialsPage';
import { ExecutionDetailPage } from './pages/ExecutionDetailPage';
import { ExecutionsPage } from './pages/ExecutionsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OverviewPage } from './pages/OverviewPage';
import { ProfileDetailPage } from './pages/ProfileDetailPage';
import { ProfilesPage } from './pages/ProfilesPage';
import { RequirementsPage } from './pages/RequirementsPage';
import { SettingsPage } from './pages/SettingsPage';
import { SetupPage } from './pages/SetupPage';
import { UI } from './paths';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<Navigate to={UI.overview} replace />} />
      <Route path="/ui/setup" element={<SetupPage />} />
      <Route path="/ui/login" element={<LoginPage />} />
      <Route
        path="/ui"
        element={
          <RequireAdmin>
            <Layout />
          </RequireAdmin>
        }
      >
        <Route index element={<Navigate to={UI.overview} replace />} />
        <Route path="overview" element={<OverviewPage />} />
        <Route path="credentials" element={<CredentialsPage />} />
        <Route path="profiles" element={<ProfilesPage />} />
        <Route path="profiles/:id" element={<ProfileDetailPage />} />
        <Route path="executions" element={<ExecutionsPage />} />
        <Route path="executions/:id" element={<ExecutionDetailPage />} />
        <Route path="requirements" element={<RequirementsPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
