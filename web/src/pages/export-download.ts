// The results file: the export endpoint needs the Authorization header, so the page fetches it and hands the browser
// the file as a download.
import { apiBlob } from '../api.js';

export async function downloadExport(id: number): Promise<void> {
  const url = URL.createObjectURL(await apiBlob(`/api/campaigns/voice/${id}/export`, { accept: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `campaign-${id}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
