import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Every object the service writes is under this prefix (src/media/model.ts MEDIA_PREFIX). */
export const MEDIA_PREFIX = 'media/';

export interface MediaProps {
  /** Origins allowed to PUT presigned uploads from a browser. */
  corsOrigins: string[];
}

/**
 * The media bucket: private (all public access blocked, bucket-owner
 * objects), SSE-S3 by default (upload URLs also bind
 * `x-amz-server-side-encryption: AES256`), TLS only, not versioned (erasure
 * must really remove a user's files), retained when the stack is deleted.
 * Pending and completed uploads share the `media/` prefix, so abandoned
 * uploads are removed by the scheduled `media cleanup --apply` task, which
 * knows which are pending; the lifecycle rule only aborts incomplete
 * multipart uploads.
 */
export class Media extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: MediaProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      cors:
        props.corsOrigins.length === 0
          ? undefined
          : [
              {
                allowedOrigins: props.corsOrigins,
                // PUT: presigned uploads; GET/HEAD: presigned downloads read by the browser.
                allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD],
                // The headers an upload URL requires (src/media/s3-storage.ts).
                allowedHeaders: ['content-type', 'x-amz-server-side-encryption'],
                exposedHeaders: ['ETag'],
                maxAge: 3000,
              },
            ],
    });
  }

  /** The API: presigned PUT and GET (signed with the task role; HeadObject needs GetObject) and DeleteObject. */
  grantApi(grantee: iam.IGrantable): void {
    this.allowObjects(grantee, ['s3:PutObject', 's3:GetObject', 's3:DeleteObject']);
  }

  /** Erasure in the cognito-events handler: DeleteObject only. */
  grantErase(grantee: iam.IGrantable): void {
    this.allowObjects(grantee, ['s3:DeleteObject']);
  }

  /** `media cleanup` and `reconcile` (the operations task): list the prefix, delete. */
  grantCleanup(grantee: iam.IGrantable): void {
    this.allowObjects(grantee, ['s3:DeleteObject']);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [MEDIA_PREFIX, `${MEDIA_PREFIX}*`] } },
      }),
    );
  }

  private allowObjects(grantee: iam.IGrantable, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.bucket.arnForObjects(`${MEDIA_PREFIX}*`)] }));
  }
}
