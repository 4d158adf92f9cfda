import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Metrics, Readiness } from '@steward/platform';
import type { Response } from 'express';
import { Public } from './public.decorator';

/** `{"status": "ok" | "unavailable", "checks": {...}}` of GET /readyz. */
const READINESS = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      additionalProperties: true,
      description: 'Each check and its result',
    },
  },
  required: ['status', 'checks'],
};

/** Liveness, readiness and Prometheus metrics, for load balancers and monitoring. */
@ApiTags('Health')
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly readiness: Readiness,
    private readonly metrics: Metrics,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({
    description: 'Alive',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } },
  })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Readiness: the database, migrations and queue are usable' })
  @ApiOkResponse({ description: 'Ready', schema: READINESS })
  @ApiResponse({ status: 503, description: 'Not ready: `checks` says why', schema: READINESS })
  async readyz(@Res() res: Response): Promise<void> {
    const report = await this.readiness.report();
    res
      .status(report.ready ? 200 : 503)
      .json({ status: report.ready ? 'ok' : 'unavailable', checks: report.checks });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiOkResponse({
    description: 'The metrics, in the Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async metricsText(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.type(contentType).send(body);
  }
}
