import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { egressCaQuery, useRotateEgressCa } from '../api/queries/egress-ca';
import { saveBlob } from '../lib/download';
import { Confirm } from './Confirm';
import { CopyButton } from './CopyButton';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './Loading';
import { useNotify } from './Notices';
import { Time } from './Time';

const PEM_FILENAME = 'airlock-egress-ca.pem';

/**
 * The instance CA the egress proxy intercepts TLS to brokered hosts with: what it is, its
 * certificate to copy or download (public), and rotation behind a confirmation.
 */
export function EgressCaSection({
  save = saveBlob,
}: {
  save?: (blob: Blob, name: string) => void;
}) {
  const ca = useQuery(egressCaQuery());
  const rotate = useRotateEgressCa();
  const [confirming, setConfirming] = useState(false);
  const notify = useNotify();
  return (
    <section className="card" aria-labelledby="egress-ca-title">
      <h2 id="egress-ca-title">Egress certificate authority</h2>
      <p>
        For brokered credentials, Airlock’s egress proxy answers a script’s TLS connections to the
        bound hosts with certificates from this authority, so that it can put the value into the
        requests. Every sandbox trusts it automatically: there is nothing to install. The
        certificate is public; download it to check what scripts’ connections present.
      </p>
      {ca.isPending ? <Loading what="the certificate authority" /> : null}
      {ca.isError ? (
        <ErrorMessage error={ca.error} title="Could not load the certificate authority" />
      ) : null}
      {ca.data ? (
        <>
          <dl className="facts">
            <dt>Subject</dt>
            <dd className="mono">{ca.data.subject}</dd>
            <dt>SHA-256 fingerprint</dt>
            <dd className="mono">{ca.data.fingerprint_sha256}</dd>
            <dt>Valid from</dt>
            <dd>
              <Time iso={ca.data.not_before} />
            </dd>
            <dt>Valid until</dt>
            <dd>
              <Time iso={ca.data.not_after} />
            </dd>
          </dl>
          <div className="actions">
            <CopyButton text={ca.data.certificate} label="Copy certificate (PEM)" />
            <button
              type="button"
              onClick={() =>
                save(
                  new Blob([ca.data.certificate], { type: 'application/x-pem-file' }),
                  PEM_FILENAME,
                )
              }
            >
              Download {PEM_FILENAME}
            </button>
          </div>
        </>
      ) : null}
      <div className="actions">
        <button type="button" onClick={() => setConfirming(true)}>
          Rotate…
        </button>
      </div>
      {confirming ? (
        <Confirm
          title="Rotate the egress certificate authority?"
          confirmLabel="Rotate certificate authority"
          cancelLabel="Keep the current one"
          pending={rotate.isPending}
          error={rotate.error}
          errorTitle="Not rotated"
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            rotate.mutate(undefined, {
              onSuccess: (next) => {
                notify.success(`Rotated. New SHA-256 fingerprint: ${next.fingerprint_sha256}.`);
                setConfirming(false);
              },
            })
          }
        >
          <p>
            Runs started from now on use a new authority; runs already going keep the current one
            until they end. Nothing else to do: sandboxes receive the new certificate automatically.
          </p>
        </Confirm>
      ) : null}
    </section>
  );
}
