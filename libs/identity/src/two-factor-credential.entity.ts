import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A user's TOTP second factor (ASVS V2.8): at most one per user. The secret is stored encrypted
 * with the installation's keyring (AES-256-GCM under the key-encryption key `kekId`); until the
 * user confirms a first code it is pending (`enabledAt` null) and does not guard sign-in.
 */
@Entity('two_factor_credentials')
export class TwoFactorCredentialEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Personal('identifier')
  @Index('uq_two_factor_credentials_user_id', { unique: true })
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_two_factor_credentials_user_id' })
  user?: UserEntity;

  /** Nonce, ciphertext and tag of the base32 secret, base64; never the secret itself. */
  @Personal('credential')
  @Column({ name: 'secret_ciphertext', type: 'varchar', length: 255 })
  secretCiphertext!: string;

  /** The key-encryption key the secret is encrypted with (kept after a rotation). */
  @NotPersonal()
  @Column({ name: 'kek_id', type: 'varchar', length: 64 })
  kekId!: string;

  /** The last TOTP time step accepted: a code of this step or an earlier one never works again. */
  @NotPersonal()
  @Column({ name: 'last_time_step', type: 'integer', nullable: true })
  lastTimeStep!: number | null;

  /** When enrolment started. */
  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  /** When the first code was confirmed; null while enrolment is pending. */
  @NotPersonal()
  @Column({ name: 'enabled_at', type: 'datetime', precision: 3, nullable: true })
  enabledAt!: Date | null;
}
