// The results file: the export endpoint needs the Authorization header, so the page fetches it and hands the browser
// the file as a download.
import { ApiError } from '../api.js';
import { loadSession } from '../session.js';

export async function downloadExport(id: number): Promise<void> {
  const token = loadSession()?.token ?? '';
  const response = await fetch(`/api/campaigns/voice/${id}/export`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const text = await response.text();
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // not JSON: shown as it is
    }
    throw new ApiError({ status: response.status, title: 'The export failed', detail });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `campaign-${id}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
